package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keys from a JWKS URL, as an identity provider publishes them: fetched, cached, and fetched again
 * when a token names a kid the cache lacks. The issuer here is a JDK HTTPS server with a
 * self-signed certificate made by keytool; the server under test trusts it through the JVM's
 * standard trust store properties, as an operator with a private CA would configure it.
 */
class JwksUrlIT {

    private static final RSAKey FIRST = JwksTokens.rsaKey("url-first");
    private static final RSAKey SECOND = JwksTokens.rsaKey("url-second");
    private static final AtomicReference<String> PUBLISHED = new AtomicReference<>(JwksTokens.jwks(FIRST));
    private static final AtomicInteger FETCHES = new AtomicInteger();
    private static final Path TLS = certificates();
    private static final HttpsServer ISSUER = startIssuer();

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("jwks-url", Map.of(
            "jwt.jwks", "https://127.0.0.1:" + ISSUER.getAddress().getPort() + "/.well-known/jwks.json",
            "jvm.javax.net.ssl.trustStore", TLS.resolve("trust.p12").toString(),
            "jvm.javax.net.ssl.trustStorePassword", "changeit",
            "jvm.javax.net.ssl.trustStoreType", "PKCS12"));

    /** A self-signed certificate for 127.0.0.1 (issuer.p12) and a trust store holding it (trust.p12). */
    private static Path certificates() {
        try {
            Path dir = Files.createTempDirectory("jwks-tls");
            Path keytool = Path.of(ServerProcess.javaBinary()).resolveSibling("keytool");
            keytool(List.of(keytool.toString(), "-genkeypair", "-alias", "issuer", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                    "-keystore", dir.resolve("issuer.p12").toString(), "-storetype", "PKCS12",
                    "-storepass", "changeit"));
            keytool(List.of(keytool.toString(), "-exportcert", "-alias", "issuer", "-keystore",
                    dir.resolve("issuer.p12").toString(), "-storepass", "changeit", "-file",
                    dir.resolve("issuer.cer").toString()));
            keytool(List.of(keytool.toString(), "-importcert", "-noprompt", "-alias", "issuer", "-file",
                    dir.resolve("issuer.cer").toString(), "-keystore", dir.resolve("trust.p12").toString(),
                    "-storetype", "PKCS12", "-storepass", "changeit"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void keytool(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + command + "\n" + output);
        }
    }

    private static HttpsServer startIssuer() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(TLS.resolve("issuer.p12"))) {
                keys.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, "changeit".toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keyManagers.getKeyManagers(), null, null);
            HttpsServer issuer = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            issuer.setHttpsConfigurator(new HttpsConfigurator(tls));
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
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
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
