package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server with an identity provider's keys (SWITCHBOARD_JWT_JWKS, RS256 with a {@code kid}) and
 * destination rules (SWITCHBOARD_RULES: each agent its own {@code agent.{sub}.*} topics). Attacks on
 * the keys: algorithm confusion, {@code none} naming the real kid, the attacker's own key under the
 * real kid, in an embedded {@code jwk} header or behind a {@code jku} URL; all 401. Attacks on the
 * rules: reading or writing another agent's topics over native, STOMP and SockJS, also as users
 * named {@code *} and {@code **}; all refused with the protocol's {@code forbidden}.
 */
class KeysAndRulesAttackIT {

    private static final RSAKey ISSUER_KEY = JwksTokens.rsaKey("issuer-1");
    private static final RSAKey ATTACKER_KEY = JwksTokens.rsaKey("issuer-1");
    private static final String RULES = """
            rules:
              - allow: [subscribe, publish]
                topic: "agent.{sub}.*"
              - deny: [subscribe, publish]
                topic: "agent.**"
              - allow: publish
                topic: "control-*"
                roles: [publisher]
            """;

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("attack-keys-rules",
            Map.of("jwt.jwks", file("jwks.json", JwksTokens.jwks(ISSUER_KEY)).toString(),
                    "rules", file("rules.yaml", RULES).toString()));
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server);

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server);
    }

    private static Path file(String name, String content) {
        try {
            Path file = Files.createTempDirectory("attack-keys-rules").resolve(name);
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void forgedTokensAgainstTheJwksAre401() throws Exception {
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("HS256 with the public key's bytes as the secret, naming its kid",
                JwksTokens.hs256WithPublicKeyBytes(ISSUER_KEY, "mallory"));
        forged.put("alg none naming the real kid", JwksTokens.unsigned(ISSUER_KEY, "mallory"));
        forged.put("the attacker's key under the real kid", JwksTokens.rs256(ATTACKER_KEY, "mallory"));
        forged.put("the attacker's key embedded as a jwk header", rs256(ATTACKER_KEY,
                new JWSHeader.Builder(JWSAlgorithm.RS256).jwk(ATTACKER_KEY.toPublicJWK()).build()));
        forged.put("the attacker's key behind a jku header", rs256(ATTACKER_KEY, new JWSHeader.Builder(
                JWSAlgorithm.RS256).keyID("attacker").jwkURL(URI.create("https://evil.example.net/jwks.json")).build()));
        forged.put("an unknown kid", rs256(ATTACKER_KEY, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("nobody")
                .build()));
        String real = JwksTokens.rs256(ISSUER_KEY, "alice");
        String[] parts = real.split("\\.");
        forged.put("a real token's header and signature, alg changed to RS512", java.util.Base64.getUrlEncoder()
                .withoutPadding().encodeToString(("{\"alg\":\"RS512\",\"kid\":\"issuer-1\"}").getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2]);
        int channel = 0;
        for (Map.Entry<String, String> token : forged.entrySet()) {
            Attack.Refusal refusal = Attack.upgrade(server, "/ws/channel?"
                    + Attack.channelQuery(token.getValue(), "keys-" + channel++));
            assertThat(refusal.status()).as("%s: %s", token.getKey(), refusal).isEqualTo(401);
            Attack.assertRefused(refusal, 401, "unauthorized");
        }
        assertThat(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(real, "keys-real")).status())
                .isEqualTo(101);
    }

    @Test
    void anotherAgentsTopicsAreForbiddenOnNativeAndSockJs() throws Exception {
        for (String user : new String[] {"mallory", "*", "**"}) {
            try (ChannelClient client = ChannelClient.connect(server, TestTokens.token(user, "publisher"),
                    "rules-native-" + user.length())) {
                client.expect("welcome");
                client.send("{\"type\":\"subscribe\",\"topic\":\"agent.bob.inbox\"}");
                assertThat(client.expect("error").getString("code")).as(user).isEqualTo("forbidden");
                client.send("{\"type\":\"publish\",\"topic\":\"agent.bob.inbox\",\"data\":\"spoofed\"}");
                assertThat(client.expect("error").getString("code")).as(user).isEqualTo("forbidden");
            }
        }
        SockJsSession mallory = SockJsEndpoint.channel(server, TestTokens.token("mallory", "publisher"),
                SockJsEndpoint.freshChannelId("rules-sockjs")).newSession().open();
        assertThat(mallory.nextMessage(Duration.ofSeconds(10))).contains("\"type\":\"welcome\"");
        mallory.send("{\"type\":\"subscribe\",\"topic\":\"agent.bob.inbox\"}");
        JsonObject error = ChannelClient.JSONB.fromJson(mallory.nextMessage(Duration.ofSeconds(10)), JsonObject.class);
        assertThat(error.getString("code")).isEqualTo("forbidden");
        // bob himself may: the refusals are the rule's doing.
        try (ChannelClient bob = ChannelClient.connect(server, TestTokens.token("bob"), "rules-bob")) {
            bob.expect("welcome");
            bob.send("{\"type\":\"subscribe\",\"topic\":\"agent.bob.inbox\"}");
            bob.expect("subscribed");
        }
    }

    @Test
    void anotherAgentsTopicsAreForbiddenOnStomp() throws Exception {
        for (String frame : new String[] {"SUBSCRIBE\nid:0\ndestination:/topic/agent.bob.inbox\n\n\0",
                "SEND\ndestination:/topic/agent.bob.inbox\n\nspoofed\0"}) {
            try (RawStompClient client = RawStompClient.connect(server)) {
                client.send(SockJsService.stompConnect(TestTokens.token("mallory", "publisher")));
                assertThat(client.nextFrame()).startsWith("CONNECTED\n");
                client.send(frame);
                assertThat(client.nextFrame()).startsWith("ERROR\n").contains("forbidden");
                assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
            }
        }
    }

    private static String rs256(RSAKey signingKey, JWSHeader header) {
        try {
            SignedJWT jwt = new SignedJWT(header, TestTokens.claimsFor("mallory").build());
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
