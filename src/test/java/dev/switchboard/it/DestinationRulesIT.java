package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rules file (SWITCHBOARD_RULES) decides who may subscribe, publish and send, the same for the
 * native protocol, STOMP and SockJS; it is reloaded on change, and a broken edit is refused.
 */
@ContainerMatrix
class DestinationRulesIT {

    static final String RULES = """
            # Each agent has its own topics; editors publish news; acme's people read acme's topics.
            rules:
              - allow: [subscribe, publish]
                topic: "agent.{sub}.*"
              - deny: subscribe
                topic: "agent.**"
              - allow: publish
                topic: "news.**"
                roles: [editor]
              - allow: subscribe
                topic: "tenant.acme.**"
                claims: {tenant: acme}
              - deny: subscribe
                topic: "tenant.**"
              - deny: send
                app: echo
                users: [mallory]
              - deny: subscribe
                userQueue: "audit"
            """;

    private static final Path RULES_FILE = rulesFile();

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("rules",
            Map.of("rules", RULES_FILE.toString(), "reload.poll.ms", "200"));

    private static Path rulesFile() {
        try {
            Path file = Files.createTempDirectory("rules").resolve("rules.yaml");
            Files.writeString(file, RULES);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeRules(String rules) throws IOException {
        Path next = RULES_FILE.resolveSibling("rules.yaml.next");
        Files.writeString(next, rules);
        Files.move(next, RULES_FILE, StandardCopyOption.ATOMIC_MOVE);
    }

    @BeforeEach
    void originalRules() throws Exception {
        writeRules(RULES);
        await().atMost(Duration.ofSeconds(10)).until(() -> nativeSubscribe(TestTokens.token("probe"),
                "tenant.other.x").equals("forbidden")); // a rule of RULES, absent from the edited versions
    }

    private static String token(String user, Map<String, Object> claims) {
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder().subject(user)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
        claims.forEach(builder::claim);
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), builder.build());
            jwt.sign(new MACSigner(TestTokens.SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** "subscribed" or the error code a native subscribe to {@code topic} gets. */
    private static String nativeSubscribe(String token, String topic) throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, token, "rules-" + UUID.randomUUID())) {
            client.expect("welcome");
            return subscribe(client, topic);
        }
    }

    private static String subscribe(ChannelClient client, String topic) throws Exception {
        client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        JsonObject answer = client.next();
        return answer.getString("type").equals("error") ? answer.getString("code") : answer.getString("type");
    }

    @Test
    void nativeSessionsGetTheirOwnTopicsThroughTheSubjectPlaceholder() throws Exception {
        try (ChannelClient alice = ChannelClient.connect(server, TestTokens.token("alice"), "rules-alice")) {
            alice.expect("welcome");
            assertThat(subscribe(alice, "agent.alice.inbox")).isEqualTo("subscribed");
            assertThat(subscribe(alice, "agent.bob.inbox")).isEqualTo("forbidden");
            assertThat(subscribe(alice, "chat")).as("subscribe is allowed by default").isEqualTo("subscribed");

            alice.send("{\"type\":\"publish\",\"topic\":\"agent.alice.inbox\",\"data\":\"note to self\"}");
            assertThat(alice.expect("message").getString("data")).isEqualTo("note to self");
            alice.send("{\"type\":\"publish\",\"topic\":\"agent.bob.inbox\",\"data\":\"x\"}");
            assertThat(alice.expect("error").getString("code")).isEqualTo("forbidden");
            alice.send("{\"type\":\"publish\",\"topic\":\"chat\",\"data\":\"x\"}");
            assertThat(alice.expect("error").getString("code")).as("publish is denied by default")
                    .isEqualTo("forbidden");
        }
    }

    @Test
    void rolesClaimsAndUsersDecideOnEveryProtocol() throws Exception {
        assertThat(nativeSubscribe(token("erin", Map.of("tenant", "acme")), "tenant.acme.orders"))
                .isEqualTo("subscribed");
        assertThat(nativeSubscribe(token("erin", Map.of("tenant", List.of("globex", "acme"))), "tenant.acme.orders"))
                .isEqualTo("subscribed");
        assertThat(nativeSubscribe(token("erin", Map.of("tenant", "globex")), "tenant.acme.orders"))
                .isEqualTo("forbidden");

        try (ChannelClient editor = ChannelClient.connect(server, TestTokens.token("ed", "editor"), "rules-ed");
                ChannelClient mallory = ChannelClient.connect(server, TestTokens.token("mallory"), "rules-mal")) {
            editor.expect("welcome");
            mallory.expect("welcome");
            assertThat(subscribe(editor, "news.world")).isEqualTo("subscribed");
            editor.send("{\"type\":\"publish\",\"topic\":\"news.world\",\"data\":\"extra\"}");
            assertThat(editor.expect("message").getString("topic")).isEqualTo("news.world");

            mallory.send("{\"type\":\"send\",\"to\":\"echo\",\"data\":\"hi\"}");
            JsonObject refused = mallory.expect("error");
            assertThat(refused.getString("code")).isEqualTo("forbidden");
            assertThat(subscribe(editor, "echo")).isEqualTo("subscribed"); // where the echo handler answers
            editor.send("{\"type\":\"send\",\"to\":\"echo\",\"data\":\"hi\"}");
            assertThat(editor.expect("message").getString("topic")).isEqualTo("echo");
        }
    }

    @Test
    void stompObeysTheSameRules() throws Exception {
        assertThat(stompSubscribe("alice", "/topic/agent.alice.inbox")).startsWith("RECEIPT");
        assertThat(stompSubscribe("alice", "/topic/agent.bob.inbox")).startsWith("ERROR").contains("forbidden");
        assertThat(stompSubscribe("alice", "/user/queue/audit")).startsWith("ERROR").contains("forbidden");
        assertThat(stompSubscribe("alice", "/user/queue/notifications")).startsWith("RECEIPT");
        assertThat(stompSend("alice", "/topic/chat")).startsWith("ERROR").contains("forbidden");
        assertThat(stompSend("alice", "/topic/agent.alice.inbox")).startsWith("RECEIPT");
        assertThat(stompSend("mallory", "/app/echo")).startsWith("ERROR").contains("forbidden");
    }

    private static String stompSubscribe(String user, String destination) throws Exception {
        return stomp(user, "SUBSCRIBE\nid:1\ndestination:" + destination + "\nreceipt:r\n\n\0");
    }

    private static String stompSend(String user, String destination) throws Exception {
        return stomp(user, "SEND\ndestination:" + destination + "\ncontent-type:text/plain\nreceipt:r\n\nhello\0");
    }

    /** Connects as {@code user}, sends {@code frame}, returns the first frame that answers it. */
    private static String stomp(String user, String frame) throws Exception {
        try (RawStompClient client = RawStompClient.connect(server)) {
            client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nAuthorization:Bearer "
                    + TestTokens.token(user) + "\n\n\0");
            assertThat(client.nextFrame()).startsWith("CONNECTED");
            client.send(frame);
            return client.nextFrame();
        }
    }

    @Test
    void sockJsObeysTheSameRules() throws Exception {
        SockJsEndpoint endpoint = SockJsEndpoint.channel(server, TestTokens.token("alice"),
                SockJsEndpoint.freshChannelId("rules"));
        try (SockJsWebSocket socket = SockJsWebSocket.connect(endpoint.wsUri(SockJsEndpoint.sessionPath("000",
                "s" + UUID.randomUUID().toString().substring(0, 8), "websocket")))) {
            assertThat(socket.next()).isEqualTo("o");
            assertThat(SockJsFrames.messages(socket.nextNotHeartbeat())).singleElement().asString().contains("welcome");
            socket.send(SockJsFrames.sendBody("{\"type\":\"subscribe\",\"topic\":\"agent.bob.inbox\"}"));
            assertThat(SockJsFrames.messages(socket.nextNotHeartbeat())).singleElement().asString()
                    .contains("\"forbidden\"");
            socket.send(SockJsFrames.sendBody("{\"type\":\"subscribe\",\"topic\":\"agent.alice.inbox\"}"));
            assertThat(SockJsFrames.messages(socket.nextNotHeartbeat())).singleElement().asString()
                    .contains("\"subscribed\"");
        }
    }

    @Test
    void anEditedFileCountsForOpenSessionsAndABrokenEditIsRefusedWithTheRulesInForceKept() throws Exception {
        try (ChannelClient alice = ChannelClient.connect(server, TestTokens.token("alice"), "rules-reload")) {
            alice.expect("welcome");
            assertThat(subscribe(alice, "ops.alerts")).isEqualTo("subscribed");

            writeRules("rules:\n  - deny: subscribe\n    topic: \"ops.*\"\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> subscribe(alice, "ops.alerts").equals("forbidden"));
            assertThat(subscribe(alice, "tenant.other.x")).as("the edit replaced every rule").isEqualTo("subscribed");

            writeRules("rules:\n  - deny: subscribe\n    topc: \"ops.*\"\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.output().contains(
                    "SWITCHBOARD_RULES file " + RULES_FILE + " changed but is not valid, keeping the version in force:"
                            + " rule 1: unknown key 'topc'"));
            assertThat(subscribe(alice, "ops.alerts")).isEqualTo("forbidden");
        }
    }
}
