package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys from a JWKS file (SWITCHBOARD_JWT_JWKS), rotated while the server runs: no restart. The
 * server also has the test secret, as a deployment moving from a shared secret to an identity
 * provider would.
 */
class JwksFileRotationIT {

    private static final RSAKey FIRST = JwksTokens.rsaKey("first");
    private static final RSAKey SECOND = JwksTokens.rsaKey("second");
    private static final Path JWKS = jwksFileHolding(FIRST);

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("jwks-file",
            Map.of("jwt.jwks", JWKS.toString(), "reload.poll.ms", "200"));

    private static Path jwksFileHolding(RSAKey key) {
        try {
            Path file = Files.createTempDirectory("jwks").resolve("jwks.json");
            Files.writeString(file, JwksTokens.jwks(key));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void rotateTo(RSAKey... keys) throws IOException {
        Path next = JWKS.resolveSibling("jwks.json.next");
        Files.writeString(next, JwksTokens.jwks(keys));
        Files.move(next, JWKS, java.nio.file.StandardCopyOption.ATOMIC_MOVE); // as a deploy tool replaces it
    }

    private static int status(String token) throws Exception {
        return JwksTokens.handshakeStatus(server, token, "jwks-" + System.nanoTime());
    }

    @Test
    void keysRotateWithNoRestartNewKidAcceptedRemovedKidRefused() throws Exception {
        rotateTo(FIRST);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(JwksTokens.rs256(FIRST, "alice")) == 101);
        assertThat(status(JwksTokens.rs256(SECOND, "alice"))).isEqualTo(401);

        // Rotation, step 1: the new key is published next to the old one.
        rotateTo(FIRST, SECOND);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(JwksTokens.rs256(SECOND, "alice")) == 101);
        assertThat(status(JwksTokens.rs256(FIRST, "alice"))).isEqualTo(101);
        // Step 2: the old key is withdrawn; its tokens are refused from the next poll on.
        rotateTo(SECOND);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(JwksTokens.rs256(FIRST, "alice")) == 401);
        assertThat(status(JwksTokens.rs256(SECOND, "alice"))).isEqualTo(101);
        // The shared secret works alongside the JWKS.
        assertThat(status(TestTokens.token("alice"))).isEqualTo(101);
    }

    @Test
    void aJwksThatNoLongerParsesIsRefusedWithAWarningAndTheKeysInForceStay() throws Exception {
        rotateTo(FIRST);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(JwksTokens.rs256(FIRST, "alice")) == 101);
        Files.writeString(JWKS, "{\"keys\": [ truncated");

        await().atMost(Duration.ofSeconds(10)).until(() -> server.output().contains(
                "SWITCHBOARD_JWT_JWKS file " + JWKS + " changed but is not valid, keeping the version in force"));
        assertThat(status(JwksTokens.rs256(FIRST, "alice"))).isEqualTo(101);
        rotateTo(FIRST);
    }

    @Test
    void unsignedTokensAndAlgorithmConfusionAreRefused() throws Exception {
        rotateTo(FIRST);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(JwksTokens.rs256(FIRST, "alice")) == 101);

        assertThat(status(JwksTokens.unsigned(FIRST, "mallory"))).isEqualTo(401);
        assertThat(status(JwksTokens.hs256WithPublicKeyBytes(FIRST, "mallory"))).isEqualTo(401);
    }
}
