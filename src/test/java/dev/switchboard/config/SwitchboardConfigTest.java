package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.broker.ChannelPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwitchboardConfigTest {

    @TempDir
    Path dir;

    /** Config from environment variables only, with a fixed node id unless given. */
    private static SwitchboardConfig fromEnvironment(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_NODE_ID", "node-test");
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return SwitchboardConfig.from(Settings.of(Map.of(), env));
    }

    @Test
    void defaultsAreThoseOfTheContract() {
        SwitchboardConfig config = fromEnvironment();

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.channelPolicy()).isEqualTo(ChannelPolicy.REJECT);
        assertThat(config.maxMessageBytes()).isEqualTo(65536);
        assertThat(config.historySize()).isEqualTo(1000);
        assertThat(config.heartbeatMs()).isEqualTo(25000);
        assertThat(config.jwtSecret()).isEmpty();
        assertThat(config.jwtPublicKeyFile()).isEmpty();
        assertThat(config.apiKey()).isEmpty();
        assertThat(config.allowedOrigins()).isEmpty();
        assertThat(config.redisUri()).isEmpty();
        assertThat(config.handshakeRatePerSecond()).isEqualTo(100.0);
        assertThat(config.handshakeBurst()).isEqualTo(500.0);
    }

    @Test
    void nodeIdDefaultsToSomethingNonBlankAndDiffersBetweenInstances() {
        SwitchboardConfig first = SwitchboardConfig.from(Settings.of(Map.of(), Map.of()));
        SwitchboardConfig second = SwitchboardConfig.from(Settings.of(Map.of(), Map.of()));

        assertThat(first.nodeId()).isNotBlank();
        // a random suffix of 4 base-36 digits: equal by chance once in 1.7 million
        assertThat(first.nodeId()).isNotEqualTo(second.nodeId());
    }

    @Test
    void everyContractSettingIsReadFromItsVariable() {
        SwitchboardConfig config = fromEnvironment(
                "SWITCHBOARD_PORT", "9090",
                "SWITCHBOARD_JWT_SECRET", "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t",
                "SWITCHBOARD_JWT_PUBLIC_KEY", "/keys/jwt.pem",
                "SWITCHBOARD_API_KEY", "api-key-1",
                "SWITCHBOARD_ALLOWED_ORIGINS", "https://a.example",
                "SWITCHBOARD_CHANNEL_POLICY", "replace",
                "SWITCHBOARD_MAX_MESSAGE_BYTES", "1024",
                "SWITCHBOARD_HISTORY_SIZE", "10",
                "SWITCHBOARD_HEARTBEAT_MS", "5000",
                "SWITCHBOARD_REDIS_URI", "redis://localhost:6379",
                "SWITCHBOARD_NODE_ID", "node-7");

        assertThat(config.port()).isEqualTo(9090);
        assertThat(config.jwtSecret()).hasValue("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t");
        assertThat(config.jwtPublicKeyFile()).hasValue("/keys/jwt.pem");
        assertThat(config.apiKey()).hasValue("api-key-1");
        assertThat(config.allowedOrigins()).containsExactly("https://a.example");
        assertThat(config.channelPolicy()).isEqualTo(ChannelPolicy.REPLACE);
        assertThat(config.maxMessageBytes()).isEqualTo(1024);
        assertThat(config.historySize()).isEqualTo(10);
        assertThat(config.heartbeatMs()).isEqualTo(5000);
        assertThat(config.redisUri()).hasValue("redis://localhost:6379");
        assertThat(config.nodeId()).isEqualTo("node-7");
    }

    @Test
    void settingsFromTheConfigFileAreTyped() throws IOException {
        Path file = dir.resolve("switchboard.properties");
        Files.writeString(file, "SWITCHBOARD_PORT=7070\nswitchboard.channel.policy=REPLACE\n");

        SwitchboardConfig config = SwitchboardConfig.from(Settings.of(Map.of("switchboard.heartbeat.ms", "3000"),
                Map.of("SWITCHBOARD_CONFIG", file.toString(), "SWITCHBOARD_NODE_ID", "n")));

        assertThat(config.port()).isEqualTo(7070);
        assertThat(config.channelPolicy()).isEqualTo(ChannelPolicy.REPLACE);
        assertThat(config.heartbeatMs()).isEqualTo(3000);
    }

    @Test
    void channelPolicyIgnoresCase() {
        assertThat(fromEnvironment("SWITCHBOARD_CHANNEL_POLICY", "Reject").channelPolicy())
                .isEqualTo(ChannelPolicy.REJECT);
    }

    @Test
    void allowedOriginsIsACommaListWithSpacesAndEmptyEntriesIgnored() {
        SwitchboardConfig config = fromEnvironment("SWITCHBOARD_ALLOWED_ORIGINS",
                " https://a.example , ,https://b.example,");

        assertThat(config.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void anAllowedOriginsEntryThatIsNotAnOriginIsAnErrorNamingTheVariableTheEntryAndTheFix() {
        for (String notAList : new String[] {"https://a.example;https://b.example", "a.example", "https://a.example/app"}) {
            assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_ALLOWED_ORIGINS", notAList)).as(notAList)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("SWITCHBOARD_ALLOWED_ORIGINS has '" + notAList + "'")
                    .hasMessageContaining("comma-separated list");
        }
        assertThat(fromEnvironment("SWITCHBOARD_ALLOWED_ORIGINS", "*").allowedOrigins()).containsExactly("*");
        assertThat(fromEnvironment("SWITCHBOARD_ALLOWED_ORIGINS", "http://localhost:3000").allowedOrigins())
                .containsExactly("http://localhost:3000");
    }

    @Test
    void aNonNumericValueSaysWhatANumberMayBe() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_PORT", "abc"))
                .hasMessage("Invalid value for SWITCHBOARD_PORT: 'abc'; set a whole number from 0 to 65535");
    }

    @Test
    void blankSettingFallsBackToTheDefault() {
        assertThat(fromEnvironment("SWITCHBOARD_PORT", "  ").port()).isEqualTo(8080);
        assertThat(fromEnvironment("SWITCHBOARD_JWT_SECRET", "").jwtSecret()).isEmpty();
    }

    @Test
    void nonNumericPortIsAnErrorNamingTheVariable() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_PORT", "eighty"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SWITCHBOARD_PORT")
                .hasMessageContaining("eighty");
    }

    @Test
    void portOutOfRangeIsAnErrorNamingTheVariable() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_PORT", "70000"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SWITCHBOARD_PORT");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_PORT", "-1"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SWITCHBOARD_PORT");
    }

    @Test
    void invalidNumbersNameTheirVariable() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_MAX_MESSAGE_BYTES", "64k"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_MAX_MESSAGE_BYTES");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HISTORY_SIZE", "1.5"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HISTORY_SIZE");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HEARTBEAT_MS", "10"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HEARTBEAT_MS");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HANDSHAKE_RATE", "fast"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HANDSHAKE_RATE");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HANDSHAKE_BURST", "-5"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HANDSHAKE_BURST");
    }

    @Test
    void memoryBoundsHaveDefaultsAndAreReadFromTheirVariables() {
        assertThat(fromEnvironment().memory())
                .isEqualTo(new SwitchboardConfig.MemorySettings(16L * 1024 * 1024, 60_000, 25));

        SwitchboardConfig config = fromEnvironment(
                "SWITCHBOARD_HISTORY_MAX_BYTES", "1048576",
                "SWITCHBOARD_TOPIC_IDLE_MS", "0",
                "SWITCHBOARD_MEMORY_BUDGET_PERCENT", "10");

        assertThat(config.memory()).isEqualTo(new SwitchboardConfig.MemorySettings(1_048_576, 0, 10));
    }

    @Test
    void memoryBoundsOutOfRangeAreErrorsNamingTheVariable() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HISTORY_MAX_BYTES", "100"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HISTORY_MAX_BYTES");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_TOPIC_IDLE_MS", "-1"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_TOPIC_IDLE_MS");
        for (String percent : new String[] {"0", "91", "25%"}) {
            assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_MEMORY_BUDGET_PERCENT", percent)).as(percent)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("SWITCHBOARD_MEMORY_BUDGET_PERCENT");
        }
    }

    @Test
    void handshakeRateAndBurstThatAreNotFiniteAreErrorsNamingTheVariable() {
        for (String notFinite : new String[] {"NaN", "Infinity", "-Infinity"}) {
            assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HANDSHAKE_RATE", notFinite)).as(notFinite)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HANDSHAKE_RATE");
            assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_HANDSHAKE_BURST", notFinite)).as(notFinite)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_HANDSHAKE_BURST");
        }
    }

    @Test
    void abuseLimitsHaveDefaultsAndAreReadFromTheirVariables() {
        SwitchboardConfig.AbuseLimits defaults = fromEnvironment().abuse();
        assertThat(defaults).isEqualTo(new SwitchboardConfig.AbuseLimits(100, 1000, 1000, 1000, 2000, 1024 * 1024,
                4 * 1024 * 1024, 1000, 2000, java.util.List.of()));

        SwitchboardConfig.AbuseLimits set = fromEnvironment("SWITCHBOARD_MAX_SESSIONS_PER_USER", "3",
                "SWITCHBOARD_MAX_SESSIONS_PER_ADDRESS", "0", "SWITCHBOARD_MAX_SUBSCRIPTIONS_PER_SESSION", "7",
                "SWITCHBOARD_INBOUND_RATE", "5.5", "SWITCHBOARD_INBOUND_BURST", "11",
                "SWITCHBOARD_INBOUND_BYTES_RATE", "0", "SWITCHBOARD_INBOUND_BYTES_BURST", "1",
                "SWITCHBOARD_API_RATE", "2", "SWITCHBOARD_API_BURST", "4",
                "SWITCHBOARD_PUBLIC_ORIGIN", "https://push.example.com, http://localhost:8080").abuse();
        assertThat(set).isEqualTo(new SwitchboardConfig.AbuseLimits(3, 0, 7, 5.5, 11, 0, 1, 2, 4,
                java.util.List.of("https://push.example.com", "http://localhost:8080")));
    }

    @Test
    void aPublicOriginThatIsNotAnOriginIsAnErrorNamingTheVariable() {
        for (String notAnOrigin : new String[] {"push.example.com", "https://push.example.com/app", "ftp://x.example",
                "https://x.example?q=1", "https://"}) {
            assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_PUBLIC_ORIGIN", notAnOrigin)).as(notAnOrigin)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_PUBLIC_ORIGIN");
        }
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_MAX_SESSIONS_PER_USER", "-1"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_MAX_SESSIONS_PER_USER");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_INBOUND_RATE", "NaN"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_INBOUND_RATE");
    }

    @Test
    void unknownChannelPolicyIsAnErrorNamingTheVariable() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_CHANNEL_POLICY", "queue"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SWITCHBOARD_CHANNEL_POLICY")
                .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("queue"));
    }

    @Test
    void descriptionNeverShowsSecrets() {
        SwitchboardConfig config = fromEnvironment(
                "SWITCHBOARD_JWT_SECRET", "jwt-secret-value-jwt-secret-value",
                "SWITCHBOARD_API_KEY", "api-key-value",
                "SWITCHBOARD_REDIS_URI", "redis://user:redis-password@localhost:6379");

        assertThat(config.toString())
                .doesNotContain("jwt-secret-value")
                .doesNotContain("api-key-value")
                .doesNotContain("redis-password");
    }

    @Test
    void aJwksUrlMustBeHttpsExceptOnTheLoopbackAddress() {
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_JWT_JWKS", "http://idp.example.com/jwks.json"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("SWITCHBOARD_JWT_JWKS must be an https URL (http only for localhost) or a file path,"
                        + " not http://idp.example.com");
        assertThat(fromEnvironment("SWITCHBOARD_JWT_JWKS", "https://idp.example.com/jwks.json").keysAndRules()
                .jwksIsUrl()).isTrue();
        assertThat(fromEnvironment("SWITCHBOARD_JWT_JWKS", "http://127.0.0.1:9000/jwks.json").keysAndRules()
                .jwksIsUrl()).isTrue();
        assertThat(fromEnvironment("SWITCHBOARD_JWT_JWKS", "/etc/switchboard/jwks.json").keysAndRules()
                .jwksIsUrl()).isFalse();
    }

    @Test
    void keysAndRulesSettingsHaveDefaultsAndBounds() {
        SwitchboardConfig.KeysAndRules defaults = fromEnvironment().keysAndRules();
        assertThat(defaults.jwks()).isEmpty();
        assertThat(defaults.rulesFile()).isEmpty();
        assertThat(defaults.reloadPollMs()).isEqualTo(2_000);
        assertThat(defaults.jwksCacheMs()).isEqualTo(300_000);
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_RELOAD_POLL_MS", "10"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SWITCHBOARD_RELOAD_POLL_MS");
    }

    @Test
    void webhooksAreOffByDefaultAndNeedASecretWithTheirUrl() {
        SwitchboardConfig.WebhookSettings none = fromEnvironment().webhook();
        assertThat(none.url()).isEmpty();
        assertThat(none.retryMs()).isEqualTo(300_000);
        assertThat(none.queueSize()).isEqualTo(10_000);
        assertThat(none.batchSize()).isEqualTo(100);

        SwitchboardConfig.WebhookSettings set = fromEnvironment("SWITCHBOARD_WEBHOOK_URL", "https://backend.example/hooks",
                "SWITCHBOARD_WEBHOOK_SECRET", "s3cret", "SWITCHBOARD_WEBHOOK_RETRY_MS", "60000").webhook();
        assertThat(set.url()).hasValueSatisfying(url -> assertThat(url).hasToString("https://backend.example/hooks"));
        assertThat(set.secret()).contains("s3cret");
        assertThat(set.retryMs()).isEqualTo(60_000);

        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_WEBHOOK_URL", "https://backend.example/hooks"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("SWITCHBOARD_WEBHOOK_URL needs SWITCHBOARD_WEBHOOK_SECRET, the key that signs each request");
        assertThatThrownBy(() -> fromEnvironment("SWITCHBOARD_WEBHOOK_URL", "backend/hooks",
                "SWITCHBOARD_WEBHOOK_SECRET", "s3cret"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("SWITCHBOARD_WEBHOOK_URL must be an http or https URL, not 'backend/hooks'");
    }
}
