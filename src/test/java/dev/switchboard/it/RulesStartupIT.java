package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rules file or JWKS that does not parse stops start-up with one clear line and status 2 (a bad setting). */
class RulesStartupIT {

    @Test
    void aRulesFileThatDoesNotParseStopsStartUpWithOneLine() throws Exception {
        Path rules = Files.createTempDirectory("rules").resolve("rules.yaml");
        Files.writeString(rules, "rules:\n  - allow: subscribe\n    topic: [unclosed\n");

        ServerProcess server = ServerProcess.launch("rules-broken", Map.of("jwt.secret", TestTokens.SECRET,
                "rules", rules.toString()));

        assertThat(server.awaitExit()).isEqualTo(2);
        assertThat(server.output()).containsPattern("Switchboard cannot start: SWITCHBOARD_RULES file " + rules
                + " is not valid: does not parse as YAML or JSON at line \\d+, column \\d+: .+")
                .doesNotContain("Switchboard is running");
    }

    @Test
    void aJwksFileThatDoesNotParseStopsStartUpWithOneLine() throws Exception {
        Path jwks = Files.createTempDirectory("jwks").resolve("jwks.json");
        Files.writeString(jwks, "{\"keys\": [{\"kty\": \"RSA\"}]}");

        ServerProcess server = ServerProcess.launch("jwks-broken", Map.of("jwt.jwks", jwks.toString()));

        assertThat(server.awaitExit()).isEqualTo(2);
        assertThat(server.output()).contains("Switchboard cannot start: SWITCHBOARD_JWT_JWKS file " + jwks
                + " is not valid: not a JSON Web Key Set: ")
                .doesNotContain("Dev mode");
    }
}
