package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationCheckTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-secret";

    @TempDir
    Path dir;

    private static List<String> check(Map<String, String> environment) {
        return ConfigurationCheck.check(Settings.of(Map.of(), environment));
    }

    @Test
    void describesTheEffectiveConfigurationWithoutSecrets() {
        List<String> lines = check(Map.of("SWITCHBOARD_JWT_SECRET", SECRET, "SWITCHBOARD_API_KEY", "api-key-value",
                "SWITCHBOARD_REDIS_URI", "redis://app:redis-password@cache:6379", "SWITCHBOARD_PORT", "9090"));

        assertThat(String.join("\n", lines)).doesNotContain("0123456789abcdef").doesNotContain("api-key-value")
                .doesNotContain("redis-password");
        assertThat(lines).contains("Token keys: HS256 secret (39 bytes)", "  SWITCHBOARD_PORT=9090  (environment)",
                "  SWITCHBOARD_JWT_SECRET=******  (environment)", "  port = 9090", "  jwtSecret = ******",
                "  redisUri = redis://app:******@cache:6379", "  channelPolicy = REJECT");
    }

    @Test
    void pointsOutAGivenSettingThatNothingReads() {
        assertThat(check(Map.of("SWITCHBOARD_JWT_SECRET", SECRET, "SWITCHBOARD_HISTORY_SIZ", "5")))
                .contains("  SWITCHBOARD_HISTORY_SIZ=5  (environment)  UNKNOWN: no such setting, check its spelling");
    }

    @Test
    void aShortSecretFailsAsAtStartUp() {
        assertThatThrownBy(() -> check(Map.of("SWITCHBOARD_JWT_SECRET", "short")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("SWITCHBOARD_JWT_SECRET must be at least 32 bytes, it has 5; set a random one");
    }

    @Test
    void anUnreadableKeyFileFailsNamingTheSettingAndTheFile() {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> check(Map.of("SWITCHBOARD_JWT_PUBLIC_KEY", missing.toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("SWITCHBOARD_JWT_PUBLIC_KEY file " + missing + " cannot be read (no such file); set it to a"
                        + " PEM public key file that this user can read");
    }

    @Test
    void aRulesFileThatDoesNotParseFails() throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "rules:\n  - allow: subscribe\n    topic: [unclosed\n");
        assertThatThrownBy(() -> check(Map.of("SWITCHBOARD_JWT_SECRET", SECRET, "SWITCHBOARD_RULES", rules.toString())))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_RULES");
    }

    @Test
    void withoutAnyKeyItSaysTheStandaloneJarRunsInDevMode() {
        assertThat(check(Map.of())).contains(
                "Token keys: none (the standalone jar runs in dev mode; a WAR deployment refuses to start)",
                "  (none: every setting has its default)");
    }
}
