package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's state machine against a {@link FakeContainer}, the test playing the server. */
class SwitchboardClientTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    /** Records every listener call as a line; {@link #assertExhausted()} fails on any unexpected one. */
    private static final class Events implements SwitchboardListener {
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(IncomingMessage message) {
            if (message.data().toString().equals("\"fail\"")) {
                events.add("message " + message.id() + " threw");
                throw new IllegalStateException("listener failed");
            }
            events.add("message " + (message.topic() != null ? message.topic() + "#" + message.offset() : message.id()));
        }

        @Override
        public void onConnected(String sessionId, String user) {
            events.add("connected " + sessionId);
        }

        @Override
        public void onDisconnected(int code, String reason, boolean willRetry) {
            events.add("disconnected " + code + (willRetry ? " retry" : " stop"));
        }

        @Override
        public void onConnectFailed(Exception cause, boolean willRetry) {
            events.add("connect failed " + (cause instanceof HandshakeRefusedException refused ? refused.status() : 0)
                    + (willRetry ? " retry" : " stop"));
        }

        @Override
        public void onRecoveryFailed(RecoveryFailure failure) {
            events.add("recovery failed " + failure);
        }

        @Override
        public void onError(Throwable error) {
            events.add("error " + error.getMessage());
        }

        String next() throws InterruptedException {
            String event = events.poll(5, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no listener call within 5 s");
            }
            return event;
        }

        List<String> next(int count) throws InterruptedException {
            List<String> taken = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                taken.add(next());
            }
            return taken;
        }

        void assertExhausted() throws InterruptedException {
            assertThat(events.poll(100, TimeUnit.MILLISECONDS)).as("unexpected listener call").isNull();
        }
    }

    private final FakeContainer server = new FakeContainer();
    private final Events listener = new Events();
    private SwitchboardClient client;

    private SwitchboardClient client(Supplier<String> tokens) {
        client = SwitchboardClient.builder(URI.create("ws://switchboard.test:8080/"))
                .token(tokens)
                .channelId("agent-42")
                .listener(listener)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50), 0.5)
                .containers(server::container)
                .build();
        return client;
    }

    @AfterEach
    void closeClientAndCheckNothingElseHappened() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        listener.events.removeIf(event -> event.equals("disconnected 1000 stop"));
        listener.assertExhausted();
    }

    private static String welcome(String sessionId) {
        return "{\"type\":\"welcome\",\"sessionId\":\"" + sessionId + "\",\"channelId\":\"agent-42\",\"user\":\"u\",\"heartbeatMs\":60000}";
    }

    private static String subscribed(String topic, long offset, String epoch, boolean recovered) {
        return "{\"type\":\"subscribed\",\"topic\":\"" + topic + "\",\"offset\":" + offset + ",\"epoch\":\"" + epoch
                + "\",\"recovered\":" + recovered + "}";
    }

    private static String topicMessage(String topic, long offset, String epoch) {
        return "{\"type\":\"message\",\"id\":\"m" + offset + "\",\"topic\":\"" + topic + "\",\"offset\":" + offset
                + ",\"epoch\":\"" + epoch + "\",\"data\":" + offset + ",\"ts\":1}";
    }

    private static String channelMessage(String id, String data) {
        return "{\"type\":\"message\",\"id\":\"" + id + "\",\"channel\":\"agent-42\",\"data\":\"" + data
                + "\",\"ts\":1,\"ack\":true}";
    }

    private static JsonObject json(String frame) {
        return JSONB.fromJson(frame, JsonObject.class);
    }

    /** Connects, subscribed to {@code news} at offset 0 of epoch e1. */
    private FakeContainer.FakeSession connectedToNews() throws Exception {
        client(() -> "token-1").subscribe("news");
        CompletableFuture<Void> connected = client.connect();
        FakeContainer.FakeSession session = server.nextSession();
        session.receive(welcome("s1"));
        assertThat(json(session.nextSent())).containsEntry("type", jakarta.json.Json.createValue("subscribe"))
                .doesNotContainKey("since");
        assertThat(connected).isNotDone();
        session.receive(subscribed("news", 0, "e1", false));
        connected.get(5, TimeUnit.SECONDS);
        assertThat(listener.next()).isEqualTo("connected s1");
        return session;
    }

    @Test
    void connectsToTheChannelEndpointWithTokenAndChannelId() throws Exception {
        FakeContainer.FakeSession session = connectedToNews();
        assertThat(session.uri).isEqualTo(URI.create("ws://switchboard.test:8080/ws/channel?token=token-1&channelId=agent-42"));
        assertThat(client.state()).isEqualTo(SwitchboardClient.State.CONNECTED);
    }

    @Test
    void resumesFromTheLastDeliveredOffsetAfterAReconnectAndDropsTheReplayedOverlap() throws Exception {
        FakeContainer.FakeSession first = connectedToNews();
        for (long offset = 1; offset <= 3; offset++) {
            first.receive(topicMessage("news", offset, "e1"));
        }
        first.drop(1006);
        assertThat(listener.next(4)).containsExactly("message news#1", "message news#2", "message news#3",
                "disconnected 1006 retry");

        FakeContainer.FakeSession second = server.nextSession();
        second.receive(welcome("s2"));
        JsonObject resubscribe = json(second.nextSent());
        assertThat(resubscribe.getString("topic")).isEqualTo("news");
        assertThat(resubscribe.getJsonObject("since").getJsonNumber("offset").longValue()).isEqualTo(3);
        assertThat(resubscribe.getJsonObject("since").getString("epoch")).isEqualTo("e1");
        for (long offset = 2; offset <= 5; offset++) {
            second.receive(topicMessage("news", offset, "e1")); // 2 and 3 again: an overlapping replay
        }
        second.receive(subscribed("news", 5, "e1", true));
        second.receive(topicMessage("news", 5, "e1"));
        second.receive(topicMessage("news", 6, "e1"));

        assertThat(listener.next(4)).containsExactly("connected s2", "message news#4", "message news#5",
                "message news#6");
    }

    @Test
    void aResumeTheServerCouldNotServeIsReportedAndLiveMessagesContinue() throws Exception {
        FakeContainer.FakeSession first = connectedToNews();
        first.receive(topicMessage("news", 1, "e1"));
        first.drop(4008);
        assertThat(listener.next(2)).containsExactly("message news#1", "disconnected 4008 retry");

        FakeContainer.FakeSession second = server.nextSession();
        second.receive(welcome("s2"));
        second.nextSent();
        second.receive(subscribed("news", 900, "e1", false));
        second.receive(topicMessage("news", 901, "e1"));

        assertThat(listener.next(3)).containsExactly("connected s2",
                "recovery failed " + new RecoveryFailure("news", "e1", 1, "e1", 900), "message news#901");
    }

    @Test
    void acknowledgesAfterTheListenerReturnedButNotWhenItThrew() throws Exception {
        FakeContainer.FakeSession session = connectedToNews();
        session.receive(channelMessage("c1", "ok"));
        assertThat(listener.next()).isEqualTo("message c1");
        assertThat(json(session.nextSent())).isEqualTo(json("{\"type\":\"ack\",\"id\":\"c1\"}"));

        session.receive(channelMessage("c2", "fail"));
        assertThat(listener.next(2)).containsExactly("message c2 threw", "error onMessage threw for message c2"
                + " (channel agent-42): java.lang.IllegalStateException: listener failed");

        session.receive(channelMessage("c1", "ok")); // redelivered: its ack was lost
        assertThat(json(session.nextSent())).isEqualTo(json("{\"type\":\"ack\",\"id\":\"c1\"}"));
        assertThat(session.sent).isEmpty(); // no ack for c2
    }

    @Test
    void doesNotReconnectAfterBeingReplaced() throws Exception {
        FakeContainer.FakeSession session = connectedToNews();
        session.drop(4009);
        assertThat(listener.next()).isEqualTo("disconnected 4009 stop");
        await().until(() -> client.state() == SwitchboardClient.State.STOPPED);
        assertThat(server.sessions.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anExpiredTokenEndsTheClientUnlessTheSupplierHasAFreshOne() throws Exception {
        FakeContainer.FakeSession session = connectedToNews(); // supplier always "token-1"
        session.drop(1008);
        assertThat(listener.next()).isEqualTo("disconnected 1008 stop");
        assertThat(server.sessions.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void reconnectsWithTheFreshTokenAfterItExpired() throws Exception {
        List<String> tokens = new ArrayList<>(List.of("token-1", "token-2"));
        client(() -> tokens.size() > 1 ? tokens.remove(0) : tokens.get(0)).connect();
        FakeContainer.FakeSession first = server.nextSession();
        first.receive(welcome("s1"));
        first.drop(1008);
        FakeContainer.FakeSession second = server.nextSession();
        assertThat(second.uri.getQuery()).startsWith("token=token-2&");
        assertThat(listener.next(2)).containsExactly("connected s1", "disconnected 1008 retry");
    }

    @Test
    void aForbiddenHandshakeStopsAndFailsConnect() throws Exception {
        server.refuseNext(403);
        CompletableFuture<Void> connected = client(() -> "token-1").connect();
        assertThat(connected).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(Exception.class)
                .withCauseInstanceOf(HandshakeRefusedException.class);
        assertThat(listener.next()).isEqualTo("connect failed 403 stop");
        assertThat(client.state()).isEqualTo(SwitchboardClient.State.STOPPED);
    }

    @Test
    void aBusyChannelOrRateLimitIsRetried() throws Exception {
        server.refuseNext(409);
        server.refuseNext(429);
        CompletableFuture<Void> connected = client(() -> "token-1").connect();
        server.nextSession().receive(welcome("s1"));
        connected.get(5, TimeUnit.SECONDS);
        assertThat(listener.next(3)).containsExactly("connect failed 409 retry", "connect failed 429 retry",
                "connected s1");
    }

    @Test
    void publishingWhileDisconnectedFailsAtOnce() {
        client(() -> "token-1");
        assertThat(client.publish("news", 1)).failsWithin(Duration.ofSeconds(5));
    }

    @Test
    void closeSendsANormalClosureAndIsFinal() throws Exception {
        FakeContainer.FakeSession session = connectedToNews();
        client.close();
        assertThat(session.isOpen()).isFalse();
        assertThat(client.state()).isEqualTo(SwitchboardClient.State.CLOSED);
        assertThat(listener.next()).isEqualTo("disconnected 1000 stop");
    }
}
