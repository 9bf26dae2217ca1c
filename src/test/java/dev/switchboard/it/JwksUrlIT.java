package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys from a JWKS URL, as an identity provider publishes them: fetched, cached, and fetched again
 * when a token names a kid the cache lacks. The issuer here is a JDK HTTP server on the loopback
 * address (plain http is allowed there only); the TLS of an https URL is the JDK's own client.
 */
class JwksUrlIT {

    private static final RSAKey FIRST = JwksTokens.rsaKey("url-first");
    private static final RSAKey SECOND = JwksTokens.rsaKey("url-second");
    private static final AtomicReference<String> PUBLISHED = new AtomicReference<>(JwksTokens.jwks(FIRST));
    private static final AtomicInteger FETCHES = new AtomicInteger();
    private static final HttpServer ISSUER = startIssuer();

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("jwks-url", Map.of("jwt.jwks",
            "http://127.0.0.1:" + ISSUER.getAddress().getPort() + "/.well-known/jwks.json"));

    private static HttpServer startIssuer() {
        try {
            HttpServer issuer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            issuer.createContext("/.well-known/jwks.json", exchange -> {
                FETCHES.incrementAndGet();
                byte[] body = PUBLISHED.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            issuer.start();
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopIssuer() {
        ISSUER.stop(0);
    }

    private static int status(String token) throws Exception {
        return JwksTokens.handshakeStatus(server, token, "jwks-url-" + System.nanoTime());
    }

    @Test
    void keysAreFetchedCachedAndFetchedAgainForANewKid() throws Exception {
        assertThat(status(JwksTokens.rs256(FIRST, "alice"))).isEqualTo(101);
        int afterFirst = FETCHES.get();
        assertThat(afterFirst).isPositive();
        assertThat(status(JwksTokens.rs256(FIRST, "bob"))).isEqualTo(101);
        assertThat(FETCHES.get()).as("the second token is verified from the cache").isEqualTo(afterFirst);

        // The issuer rotates: the new kid is unknown to the cache, so the set is fetched again at once.
        PUBLISHED.set(JwksTokens.jwks(SECOND));
        assertThat(status(JwksTokens.rs256(SECOND, "alice"))).isEqualTo(101);
        assertThat(FETCHES.get()).isGreaterThan(afterFirst);
        // The withdrawn key is gone from the refreshed cache.
        assertThat(status(JwksTokens.rs256(FIRST, "alice"))).isEqualTo(401);
    }

    @Test
    void unsignedTokensAndAlgorithmConfusionAreRefused() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> status(JwksTokens.rs256(SECOND, "alice")) == 101
                || status(JwksTokens.rs256(FIRST, "alice")) == 101);
        for (RSAKey key : new RSAKey[] {FIRST, SECOND}) {
            assertThat(status(JwksTokens.unsigned(key, "mallory"))).isEqualTo(401);
            assertThat(status(JwksTokens.hs256WithPublicKeyBytes(key, "mallory"))).isEqualTo(401);
        }
    }
}
