package dev.switchboard.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.IncomingMessage;
import dev.switchboard.client.MessageHandlingException;
import dev.switchboard.client.RecoveryFailure;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardListener;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java client ({@code dev.switchboard.client}) against the real server: reconnect and resume
 * through a proxy that keeps cutting the connection, and automatic acks.
 */
class JavaClientIT {

    private static final int BURST = 10_000;
    private static final int DROPS = 20;

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("java-client",
            Map.of("history.size", "20000", "ack.backoff.ms", "200", "ack.backoff.max.ms", "1000",
                    "api.rate", "0")); // 10,000 publishes through the API as fast as they go

    /** Records what the client reports, from its event thread; read by the test thread. */
    private static class Recorder implements SwitchboardListener {
        private final List<IncomingMessage> messages = Collections.synchronizedList(new ArrayList<>());
        private final List<RecoveryFailure> recoveryFailures = Collections.synchronizedList(new ArrayList<>());
        private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger connects = new AtomicInteger();
        private final AtomicInteger disconnects = new AtomicInteger();
        private final AtomicInteger recoveredSubscriptions = new AtomicInteger();
        private final List<String> connectFailures = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onMessage(IncomingMessage message) throws Exception {
            messages.add(message);
        }

        @Override
        public void onConnected(String sessionId, String user) {
            connects.incrementAndGet();
        }

        @Override
        public void onSubscribed(String topic, long offset, String epoch, boolean recovered) {
            if (recovered) {
                recoveredSubscriptions.incrementAndGet();
            }
        }

        @Override
        public void onDisconnected(int code, String reason, boolean willRetry) {
            disconnects.incrementAndGet();
        }

        @Override
        public void onConnectFailed(Exception cause, boolean willRetry) {
            connectFailures.add(cause + (willRetry ? " (will retry)" : " (stopped)"));
        }

        @Override
        public void onRecoveryFailed(RecoveryFailure failure) {
            recoveryFailures.add(failure);
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }

        List<IncomingMessage> messages() {
            synchronized (messages) {
                return List.copyOf(messages);
            }
        }

        List<Long> offsets() {
            return messages().stream().map(IncomingMessage::offset).toList();
        }
    }

    private static SwitchboardClient.Builder client(int port, String user, String channelId, SwitchboardListener listener) {
        return SwitchboardClient.builder(URI.create("ws://127.0.0.1:" + port))
                .token(TestTokens.token(user))
                .containers(ClientManager::createClient) // the documented setup: Tyrus, not Tomcat's client
                .channelId(channelId)
                .listener(listener);
    }

    @Test
    void everyMessageOfABurstArrivesOnceAndInOrderThoughTheConnectionIsCutTwentyTimes() throws Exception {
        Recorder recorder = new Recorder();
        HttpApi api = HttpApi.withApiKey(server);
        try (DroppingProxy proxy = new DroppingProxy(server.port());
                SwitchboardClient client = client(proxy.port(), "burst-reader", "jc-burst", recorder).build()) {
            client.subscribe("jc-burst");
            client.connect().get(10, SECONDS);

            int dropped = 0;
            for (int i = 1; i <= BURST; i++) {
                HttpApi.Response published = api.post("/api/v1/topics/jc-burst/messages", "{\"data\":{\"n\":" + i + "}}");
                assertThat(published.status()).as("publish %d: %s", i, published.body()).isEqualTo(202);
                if (i % (BURST / DROPS) == BURST / DROPS / 2) {
                    // Cut a live, resumed session each time, not a reconnect still under way: the
                    // client is CONNECTED at the welcome, before its resumed subscription is answered.
                    int resumedBefore = dropped;
                    await("client connected and resumed before drop " + (dropped + 1)).atMost(Duration.ofSeconds(30))
                            .until(() -> client.state() == SwitchboardClient.State.CONNECTED
                                    && recorder.recoveredSubscriptions.get() >= resumedBefore);
                    assertThat(proxy.dropAll()).isPositive();
                    dropped++;
                }
            }
            assertThat(dropped).isEqualTo(DROPS);

            await("all " + BURST + " messages").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> recorder.messages.size() >= BURST || !recorder.recoveryFailures.isEmpty());

            assertThat(recorder.recoveryFailures).as("recovery failures").isEmpty();
            assertThat(recorder.offsets()).containsExactlyElementsOf(LongStream.rangeClosed(1, BURST).boxed().toList());
            List<IncomingMessage> messages = recorder.messages();
            assertThat(messages).allSatisfy(m -> assertThat(m.data().asJsonObject().getInt("n")).isEqualTo(m.offset()));
            assertThat(messages.stream().map(IncomingMessage::epoch).distinct()).hasSize(1);
            assertThat(recorder.connects.get()).as("sessions opened").isGreaterThanOrEqualTo(DROPS + 1);
            assertThat(recorder.disconnects.get()).as("sessions lost").isGreaterThanOrEqualTo(DROPS);
            assertThat(recorder.recoveredSubscriptions.get()).as("resumed subscriptions").isGreaterThanOrEqualTo(DROPS);
            assertThat(recorder.errors).isEmpty();
        }
    }

    @Test
    void aMessageThatNeedsAnAckIsAcknowledgedAfterTheListenerReturned() throws Exception {
        Recorder recorder = new Recorder();
        HttpApi api = HttpApi.withApiKey(server);
        try (SwitchboardClient client = client(server.port(), "acker", "jc-ack", recorder).build()) {
            client.connect().get(10, SECONDS);
            long redeliveriesBefore = redeliveries();

            HttpApi.Response pushed = api.post("/api/v1/channels/jc-ack/messages",
                    "{\"data\":{\"call\":\"+49 30 1234\"},\"ack\":true}");
            assertThat(pushed.status()).as(pushed.body()).isEqualTo(202);
            String id = pushed.json().getString("id");

            await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.messages.isEmpty());
            IncomingMessage message = recorder.messages().get(0);
            assertThat(message.id()).isEqualTo(id);
            assertThat(message.channel()).isEqualTo("jc-ack");
            assertThat(message.ackRequired()).isTrue();
            assertThat(message.dataAs(Call.class).call).isEqualTo("+49 30 1234");

            // Unacknowledged, the server would redeliver after ack.backoff.ms (200 ms): watch well past it.
            await("one delivery, no redelivery").during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
                    .until(() -> recorder.messages().size() == 1 && redeliveries() == redeliveriesBefore);
        }
    }

    @Test
    void theAckIsSentOnlyOnceTheListenerReturned() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Recorder recorder = new Recorder() {
            @Override
            public void onMessage(IncomingMessage message) throws Exception {
                super.onMessage(message);
                release.await(); // the application is still working on it
            }
        };
        HttpApi api = HttpApi.withApiKey(server);
        try (SwitchboardClient client = client(server.port(), "inbox-owner", "jc-inbox", recorder).build()) {
            client.connect().get(10, SECONDS);
            HttpApi.Response pushed = api.post("/api/v1/users/inbox-owner/messages", "{\"data\":\"call\",\"ack\":true}");
            assertThat(pushed.status()).as(pushed.body()).isEqualTo(202);
            String id = pushed.json().getString("id");

            await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.messages.isEmpty());
            assertThat(recorder.messages().get(0).ackRequired()).isTrue();
            assertThat(pendingIds("inbox-owner")).as("inbox while the listener runs").containsExactly(id);

            release.countDown();
            await("inbox emptied by the ack").atMost(Duration.ofSeconds(10))
                    .until(() -> pendingIds("inbox-owner").isEmpty());
            assertThat(recorder.messages()).hasSize(1);
        }
    }

    @Test
    void aMessageWhoseListenerThrewIsNotAcknowledgedAndComesAgain() throws Exception {
        AtomicInteger deliveries = new AtomicInteger();
        Recorder recorder = new Recorder() {
            @Override
            public void onMessage(IncomingMessage message) throws Exception {
                super.onMessage(message);
                if (deliveries.incrementAndGet() == 1) {
                    throw new IllegalStateException("not now");
                }
            }
        };
        HttpApi api = HttpApi.withApiKey(server);
        try (SwitchboardClient client = client(server.port(), "flaky", "jc-nack", recorder).build()) {
            client.connect().get(10, SECONDS);
            HttpApi.Response pushed = api.post("/api/v1/channels/jc-nack/messages", "{\"data\":1,\"ack\":true}");
            assertThat(pushed.status()).as(pushed.body()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(15)).until(() -> recorder.messages.size() >= 2);
            // onError hears which message failed, and why (the listener's own exception as the cause).
            assertThat(recorder.errors).singleElement().isInstanceOfSatisfying(MessageHandlingException.class, failed -> {
                assertThat(failed.messageId()).isEqualTo(pushed.json().getString("id"));
                assertThat(failed.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("not now");
            });
            // Had the second delivery not been acknowledged, a third would come after the backoff (at most 1 s).
            await("no third delivery").during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5))
                    .until(() -> recorder.messages().size() == 2);
            assertThat(recorder.messages().get(1).id()).isEqualTo(pushed.json().getString("id"));
        }
    }

    @Test
    void anExpiredTokenIsReplacedByAFreshOneFromTheSupplier() throws Exception {
        Recorder recorder = new Recorder();
        AtomicInteger asked = new AtomicInteger();
        try (SwitchboardClient client = SwitchboardClient.builder(URI.create("ws://127.0.0.1:" + server.port()))
                .token(() -> asked.incrementAndGet() == 1 ? TestTokens.expiredToken("renewer") : TestTokens.token("renewer"))
                .containers(ClientManager::createClient)
                .channelId("jc-renew")
                .listener(recorder)
                .build()) {
            client.connect().get(10, SECONDS);
            assertThat(client.state()).isEqualTo(SwitchboardClient.State.CONNECTED);
            assertThat(asked.get()).isEqualTo(2);
            assertThat(recorder.connectFailures).singleElement().asString().contains("401", "(will retry)");
        }
    }

    @Test
    void aForbiddenChannelStopsTheClientWithTheHttpStatus() throws Exception {
        Recorder recorder = new Recorder();
        try (SwitchboardClient client = SwitchboardClient.builder(URI.create("ws://127.0.0.1:" + server.port()))
                .token(TestTokens.tokenForChannels("narrow", List.of("desk-*")))
                .containers(ClientManager::createClient)
                .channelId("jc-elsewhere")
                .listener(recorder)
                .build()) {
            CompletableFuture<Void> connected = client.connect();
            assertThat(connected).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
                    .havingCause().isInstanceOf(dev.switchboard.client.HandshakeRefusedException.class)
                    .satisfies(e -> assertThat(((dev.switchboard.client.HandshakeRefusedException) e).status())
                            .isEqualTo(403));
            assertThat(client.state()).isEqualTo(SwitchboardClient.State.STOPPED);
            assertThat(recorder.connectFailures).singleElement().asString()
                    .contains("HandshakeRefusedException", "403", "(stopped)");
        }
    }

    private static List<String> pendingIds(String user) throws Exception {
        HttpApi.Response inbox = HttpApi.withApiKey(server).get("/api/v1/users/" + user + "/inbox");
        assertThat(inbox.status()).as(inbox.body()).isEqualTo(200);
        return inbox.json().getJsonArray("pending").stream().map(e -> e.asJsonObject().getString("id")).toList();
    }

    private long redeliveries() throws Exception {
        JsonObject stats = HttpApi.withApiKey(server).get("/api/v1/stats").json();
        return stats.getJsonObject("total").getJsonNumber("redelivered").longValue();
    }

    /** A payload type for {@link IncomingMessage#dataAs}. */
    public static final class Call {
        public String call;
    }
}
