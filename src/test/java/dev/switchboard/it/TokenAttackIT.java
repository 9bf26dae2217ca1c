package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tokens an attacker can make or find: expired, forged, unsigned, tampered with, minted for
 * another audience or issuer, or valid but for another channel. On a server that checks
 * {@code iss} and {@code aud}, each is refused on the native endpoint (401, or 403 for the
 * channel), on STOMP CONNECT (ERROR, then close) and on the SockJS channel service (401 / 403),
 * while a correct token opens on each (so the refusals are the token's doing).
 */
@ContainerMatrix
class TokenAttackIT {

    private static final String ISSUER = "https://issuer.example.com";
    private static final String AUDIENCE = "switchboard-attack-tests";

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("attack-tokens",
            Map.of("jwt.issuer", ISSUER, "jwt.audience", AUDIENCE));
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server, TokenAttackIT::token);

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server);
    }

    /** A token the server accepts. */
    static String token(String user, String... roles) {
        JWTClaimsSet.Builder claims = accepted(user);
        if (roles.length > 0) {
            claims.claim("roles", List.of(roles));
        }
        return TestTokens.signed(claims.build());
    }

    private static JWTClaimsSet.Builder accepted(String user) {
        return TestTokens.claimsFor(user).issuer(ISSUER).audience(AUDIENCE);
    }

    /** Every refused token, by what is wrong with it. */
    private static Map<String, String> badTokens() throws JOSEException {
        Map<String, String> bad = new LinkedHashMap<>();
        Instant now = Instant.now();
        bad.put("expired beyond the skew", TestTokens.signed(accepted("mallory")
                .expirationTime(Date.from(now.minus(Duration.ofMinutes(5)))).build()));
        bad.put("signed with another secret", sign(accepted("mallory").build(), JWSAlgorithm.HS256,
                "another-secret-that-is-long-enough-0123456789"));
        bad.put("HS384 with the right secret", hs384(accepted("mallory").build().toString()));
        bad.put("wrong audience", TestTokens.signed(accepted("mallory").audience("another-service").build()));
        bad.put("no audience", TestTokens.signed(TestTokens.claimsFor("mallory").issuer(ISSUER).build()));
        bad.put("wrong issuer", TestTokens.signed(accepted("mallory").issuer("https://evil.example.net").build()));
        bad.put("no exp", TestTokens.signed(new JWTClaimsSet.Builder().subject("mallory").issuer(ISSUER)
                .audience(AUDIENCE).build()));
        bad.put("no sub", TestTokens.signed(new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE)
                .expirationTime(Date.from(now.plus(Duration.ofHours(1)))).build()));
        String payload = accepted("mallory").claim("roles", List.of("admin", "publisher")).build().toString();
        for (String none : List.of("none", "None", "NONE")) {
            bad.put("alg " + none, unsigned("{\"alg\":\"" + none + "\",\"typ\":\"JWT\"}", payload, ""));
        }
        String[] real = token("alice").split("\\.");
        bad.put("alg none with the real signature kept", unsigned("{\"alg\":\"none\"}", payload, real[2]));
        bad.put("payload swapped under a real signature", real[0] + "." + base64(payload) + "." + real[2]);
        bad.put("signature stripped", real[0] + "." + real[1] + ".");
        bad.put("not a JWT", "eyJhbGciOiJIUzI1NiJ9.garbage");
        return bad;
    }

    @Test
    void everyBadTokenIs401OnTheNativeEndpoint() throws Exception {
        int channel = 0;
        for (Map.Entry<String, String> bad : badTokens().entrySet()) {
            Attack.Refusal refusal = Attack.upgrade(server, "/ws/channel?"
                    + Attack.channelQuery(bad.getValue(), "tok-native-" + channel++));
            assertThat(refusal.status()).as("%s: %s", bad.getKey(), refusal).isEqualTo(401);
            Attack.assertRefused(refusal, 401, "unauthorized");
        }
        assertThat(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(token("alice"), "tok-native-good"))
                .status()).isEqualTo(101);
    }

    @Test
    void everyBadTokenIs401OnTheSockJsChannelService() throws Exception {
        int channel = 0;
        for (Map.Entry<String, String> bad : badTokens().entrySet()) {
            Attack.Refusal refusal = Attack.exchange(server, "POST", "/sockjs/channel/000/"
                    + SockJsEndpoint.freshSessionId() + "/xhr?" + Attack.channelQuery(bad.getValue(),
                    "tok-sockjs-" + channel++), "");
            assertThat(refusal.status()).as("%s: %s", bad.getKey(), refusal).isEqualTo(401);
            Attack.assertRefused(refusal, 401, "unauthorized");
        }
        assertThat(Attack.exchange(server, "POST", "/sockjs/channel/000/" + SockJsEndpoint.freshSessionId()
                + "/xhr?" + Attack.channelQuery(token("alice"), "tok-sockjs-good"), "").status()).isEqualTo(200);
    }

    @Test
    void everyBadTokenIsAnErrorAndACloseOnStompConnect() throws Exception {
        for (Map.Entry<String, String> bad : badTokens().entrySet()) {
            try (RawStompClient client = RawStompClient.connect(server)) {
                client.send(connect(bad.getValue(), null));
                assertThat(nextFrame(client, bad.getKey())).as(bad.getKey()).startsWith("ERROR\n")
                        .contains("message:authentication failed");
                assertThat(client.awaitClose(10).getCloseCode().getCode()).as(bad.getKey()).isEqualTo(1008);
            }
        }
        try (RawStompClient client = RawStompClient.connect(server)) {
            client.send(connect(token("alice"), null));
            assertThat(client.nextFrame()).startsWith("CONNECTED\n");
        }
    }

    @Test
    void channelAsTokenIsRefusedOnChannelB() throws Exception {
        String deskA = TestTokens.signed(accepted("agent").claim("channels", List.of("desk-a", "room-a-*")).build());
        Attack.assertRefused(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(deskA, "desk-b")), 403,
                "forbidden");
        Attack.assertRefused(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(deskA, "room-b-1")), 403,
                "forbidden");
        // A pattern is a prefix match at the end only, not a substring or a path.
        Attack.assertRefused(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(deskA, "desk-a2")), 403,
                "forbidden");
        Attack.assertRefused(Attack.exchange(server, "POST", "/sockjs/channel/000/" + SockJsEndpoint.freshSessionId()
                + "/xhr?" + Attack.channelQuery(deskA, "desk-b"), ""), 403, "forbidden");
        try (RawStompClient client = RawStompClient.connect(server)) {
            client.send(connect(deskA, "desk-b"));
            assertThat(client.nextFrame()).startsWith("ERROR\n");
            assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
        }
        assertThat(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(deskA, "room-a-7")).status())
                .isEqualTo(101);
    }

    /** The client's next frame; if none comes, the failure names the token that was sent. */
    private static String nextFrame(RawStompClient client, String token) throws InterruptedException {
        try {
            return client.nextFrame();
        } catch (AssertionError e) {
            throw new AssertionError(token + ": " + e.getMessage(), e);
        }
    }

    private static String connect(String token, String channelId) {
        return "CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nAuthorization:Bearer " + token
                + (channelId == null ? "" : "\nchannelId:" + channelId) + "\n\n\0";
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm algorithm, String secret) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** HS384 by hand: nimbus refuses a key shorter than 384 bits, and the test secret is what must be tried. */
    private static String hs384(String payload) {
        try {
            String signingInput = base64("{\"alg\":\"HS384\",\"typ\":\"JWT\"}") + "." + base64(payload);
            Mac mac = Mac.getInstance("HmacSHA384");
            mac.init(new SecretKeySpec(TestTokens.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA384"));
            byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unsigned(String header, String payload, String signature) {
        return base64(header) + "." + base64(payload) + "." + signature;
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
