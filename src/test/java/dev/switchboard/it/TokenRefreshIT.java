package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.IncomingMessage;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardListener;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In-band token refresh from outside (issue 13, point 1; docs/protocol.md, Token lifecycle), on the native
 * protocol, STOMP and SockJS. No test waits out a real token: sessions open with a token whose
 * {@code exp} is {@link #PAST_EXP} ago, which the server still accepts for the rest of its 30 s
 * clock skew, so it expires {@link #LEFT} after the handshake; the expiring notice is 10 s ahead.
 */
class TokenRefreshIT {

    private static final Duration LEFT = Duration.ofSeconds(8);
    private static final Duration PAST_EXP = Duration.ofSeconds(30).minus(LEFT);

    /** Desk topics are for role {@code desk}: a refreshed token without it loses them. */
    private static final String RULES = """
            rules:
              - allow: subscribe
                topic: "desk.**"
                roles: [desk]
              - deny: subscribe
                topic: "desk.**"
            """;

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("token-refresh",
            // A SockJS session outlives a test client that stalls between two requests on a busy machine.
            Map.of("token.expiring.notice.ms", "10000", "sockjs.disconnect.delay.ms", "30000",
                    "rules", rulesFile().toString()));

    private static Path rulesFile() {
        try {
            Path file = Files.createTempDirectory("token-refresh-rules").resolve("rules.yaml");
            Files.writeString(file, RULES);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A token of {@code user} that the server counts for {@link #LEFT} more (exp is whole seconds). */
    private static String shortToken(String user) {
        return TestTokens.tokenExpiringAt(user, Instant.now().minus(PAST_EXP).truncatedTo(ChronoUnit.SECONDS));
    }

    /** When a token minted now by {@link #shortToken} stops counting, at the latest. */
    private static Instant shortTokenEnd() {
        return Instant.now().plus(LEFT).plusSeconds(1);
    }

    @Test
    void aNativeSessionIsWarnedRefreshesAndOutlivesItsFirstToken() throws Exception {
        String first = shortToken("alice");
        Instant firstEnd = shortTokenEnd();
        try (ChannelClient client = ChannelClient.connect(server, first, "tr-native")) {
            client.expect("welcome");
            JsonObject expiring = client.expect("expiring");
            assertThat(expiring.getJsonNumber("exp").longValue()).isLessThanOrEqualTo(Instant.now().getEpochSecond());

            Instant newExp = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            client.send(refresh(TestTokens.tokenExpiringAt("alice", newExp)));
            assertThat(client.expect("refreshed").getJsonNumber("exp").longValue()).isEqualTo(newExp.getEpochSecond());

            await("the first token's end").atMost(LEFT.plusSeconds(5)).until(() -> Instant.now().isAfter(firstEnd));
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void withoutARefreshTheSessionClosesWith1008TokenExpired() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, shortToken("alice"), "tr-expire")) {
            client.expect("welcome");
            client.expect("expiring");
            CloseReason close = client.awaitClose(LEFT.plusSeconds(10));
            assertThat(close.getCloseCode().getCode()).isEqualTo(1008);
            assertThat(close.getReasonPhrase()).isEqualTo("token expired");
        }
    }

    @Test
    void refusedRefreshesAreForbiddenAndTheSessionKeepsItsToken() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server,
                TestTokens.tokenForChannels("alice", List.of("desk-*")), "desk-1")) {
            client.expect("welcome");

            client.send(refresh(TestTokens.expiredToken("alice")));
            assertForbidden(client.expect("error"), "token expired");
            client.send(refresh(TestTokens.token("mallory")));
            assertForbidden(client.expect("error"), "another user");
            client.send(refresh(TestTokens.tokenForChannels("alice", List.of("kiosk-*"))));
            assertForbidden(client.expect("error"), "channel");
            client.send(refresh(TestTokens.tokenSignedWith("another-secret-0123456789-0123456789-abc", "alice")));
            assertForbidden(client.expect("error"), "signature");

            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }

    @Test
    void aRefreshedTokenWithFewerRolesEndsTheSubscriptionsItNoLongerAllows() throws Exception {
        HttpApi api = HttpApi.withApiKey(server);
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("erin", "desk"), "tr-rules")) {
            client.expect("welcome");
            client.send("{\"type\":\"subscribe\",\"topic\":\"desk.orders\"}");
            client.expect("subscribed");

            client.send(refresh(TestTokens.token("erin")));
            JsonObject ended = client.expect("error");
            assertThat(ended.getString("code")).isEqualTo("forbidden");
            assertThat(ended.getJsonObject("ref").getString("type")).isEqualTo("subscribe");
            assertThat(ended.getJsonObject("ref").getString("topic")).isEqualTo("desk.orders");
            client.expect("refreshed");

            assertThat(api.post("/api/v1/topics/desk.orders/messages", "{\"data\":\"not for erin now\"}").status())
                    .isEqualTo(202);
            client.send("{\"type\":\"ping\"}");
            client.expect("pong"); // a message of desk.orders would have come first
        }
    }

    @Test
    void aStompSessionRefreshesThroughSysRefreshAndHearsExpiringOnSysToken() throws Exception {
        Instant firstEnd = shortTokenEnd();
        try (RawStompClient stomp = RawStompClient.connect(server)) {
            stomp.send("CONNECT\naccept-version:1.2\nhost:x\npasscode:" + shortToken("bob") + "\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("CONNECTED\n");
            stomp.send("SUBSCRIBE\nid:tok\ndestination:/sys/token\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("MESSAGE\n").contains("destination:/sys/token\n")
                    .contains("subscription:tok\n").contains("\"type\":\"expiring\"");

            Instant newExp = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
            stomp.send("SEND\ndestination:/sys/refresh\ntoken:" + TestTokens.tokenExpiringAt("bob", newExp)
                    + "\nreceipt:r-1\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:r-1\n")
                    .contains("exp:" + newExp.getEpochSecond() + "\n");

            await("the first token's end").atMost(LEFT.plusSeconds(5)).until(() -> Instant.now().isAfter(firstEnd));
            stomp.send("SUBSCRIBE\nid:news\ndestination:/topic/news\nreceipt:r-2\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("RECEIPT\n").contains("receipt-id:r-2\n");
            assertThat(stomp.isClosed()).isFalse();
        }
    }

    @Test
    void aStompRefreshWithAnotherUsersTokenIsAnErrorAndA1008Close() throws Exception {
        try (RawStompClient stomp = RawStompClient.connect(server)) {
            stomp.send("CONNECT\naccept-version:1.2\nhost:x\npasscode:" + TestTokens.token("bob") + "\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("CONNECTED\n");

            stomp.send("SEND\ndestination:/sys/refresh\nAuthorization:Bearer " + TestTokens.token("mallory")
                    + "\nreceipt:r-1\n\n\0");

            assertThat(stomp.nextFrame()).startsWith("ERROR\n").contains("message:forbidden\n")
                    .contains("another user");
            assertThat(stomp.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void aStompSessionWithoutRefreshEndsWithErrorTokenExpired() throws Exception {
        try (RawStompClient stomp = RawStompClient.connect(server)) {
            stomp.send("CONNECT\naccept-version:1.2\nhost:x\npasscode:" + shortToken("bob") + "\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("CONNECTED\n");

            assertThat(stomp.nextFrame()).startsWith("ERROR\n").contains("message:token expired\n");
            CloseReason close = stomp.awaitClose(10);
            assertThat(close.getCloseCode().getCode()).isEqualTo(1008);
            assertThat(close.getReasonPhrase()).isEqualTo("token expired");
        }
    }

    @Test
    void aSockJsChannelSessionRefreshesLikeANativeOne() throws Exception {
        Instant firstEnd = shortTokenEnd();
        SockJsSession session = SockJsEndpoint.channel(server, shortToken("carol"), "tr-sockjs").newSession().open();
        assertThat(session.nextMessage()).contains("\"type\":\"welcome\"");
        assertThat(session.nextMessage()).contains("\"type\":\"expiring\"");

        session.send(refresh(TestTokens.token("carol")));
        assertThat(session.nextMessage()).contains("\"type\":\"refreshed\"");

        await("the first token's end").atMost(LEFT.plusSeconds(5)).until(() -> Instant.now().isAfter(firstEnd));
        session.send("{\"type\":\"ping\"}");
        assertThat(session.nextMessage()).isEqualTo("{\"type\":\"pong\"}");
    }

    @Test
    void aStompSessionOverSockJsRefreshesLikeOneOverWebSocket() throws Exception {
        Instant firstEnd = shortTokenEnd();
        SockJsSession session = SockJsEndpoint.stomp(server).newSession().open();
        session.send("CONNECT\naccept-version:1.2\nhost:x\npasscode:" + shortToken("frank") + "\n\n\0");
        assertThat(session.nextMessage()).startsWith("CONNECTED\n");
        session.send("SUBSCRIBE\nid:tok\ndestination:/sys/token\n\n\0");
        assertThat(session.nextMessage()).startsWith("MESSAGE\n").contains("destination:/sys/token\n")
                .contains("event:expiring\n");

        session.send("SEND\ndestination:/sys/refresh\ntoken:" + TestTokens.token("frank") + "\nreceipt:r-1\n\n\0");
        assertThat(session.nextMessage()).startsWith("RECEIPT\n").contains("receipt-id:r-1\n").contains("exp:");

        await("the first token's end").atMost(LEFT.plusSeconds(5)).until(() -> Instant.now().isAfter(firstEnd));
        session.send("SUBSCRIBE\nid:news\ndestination:/topic/news\nreceipt:r-2\n\n\0");
        assertThat(session.nextMessage()).isEqualTo("RECEIPT\nreceipt-id:r-2\n\n\0");
    }

    @Test
    void theJavaClientRefreshesInPlaceWithItsTokenSupplierAndStaysConnected() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Instant firstEnd = shortTokenEnd();
        LinkedBlockingQueue<Instant> refreshed = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> disconnects = new LinkedBlockingQueue<>();
        try (SwitchboardClient client = SwitchboardClient.builder(URI.create("ws://127.0.0.1:" + server.port()))
                .token(() -> asked.incrementAndGet() == 1 ? shortToken("dave") : TestTokens.token("dave"))
                .containers(ClientManager::createClient)
                .channelId("tr-java")
                .listener(new SwitchboardListener() {
                    @Override
                    public void onMessage(IncomingMessage message) {
                    }

                    @Override
                    public void onTokenRefreshed(Instant expiresAt) {
                        refreshed.add(expiresAt);
                    }

                    @Override
                    public void onDisconnected(int code, String reason, boolean willRetry) {
                        disconnects.add(code + " " + reason);
                    }
                })
                .build()) {
            client.connect().get(10, TimeUnit.SECONDS);

            assertThat(refreshed.poll(10, TimeUnit.SECONDS)).as("refreshed token's exp")
                    .isAfter(Instant.now().plus(Duration.ofMinutes(50)));
            await("the first token's end").atMost(LEFT.plusSeconds(5)).until(() -> Instant.now().isAfter(firstEnd));
            client.publish("tr-java-topic", "still connected").get(10, TimeUnit.SECONDS);
            assertThat(client.state()).isEqualTo(SwitchboardClient.State.CONNECTED);
            assertThat(disconnects).as("disconnects").isEmpty();
            assertThat(asked.get()).isEqualTo(2);
        }
    }

    private static String refresh(String token) {
        return "{\"type\":\"refresh\",\"token\":\"" + token + "\"}";
    }

    private static void assertForbidden(JsonObject error, String messagePart) {
        assertThat(error.getString("code")).isEqualTo("forbidden");
        assertThat(error.getString("message")).contains(messagePart);
        assertThat(error.getJsonObject("ref").getString("type")).isEqualTo("refresh");
    }
}
