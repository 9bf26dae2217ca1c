package dev.switchboard.it;

import static dev.switchboard.it.ClusterSessions.offset;
import static dev.switchboard.it.ClusterSessions.publish;
import static dev.switchboard.it.ClusterSessions.subscribe;
import static dev.switchboard.it.ClusterSessions.welcomed;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.IncomingMessage;
import dev.switchboard.client.RecoveryFailure;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardListener;
import jakarta.json.JsonObject;
import jakarta.websocket.DeploymentException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.glassfish.tyrus.client.ClientManager;
import org.junit.jupiter.api.Test;

/**
 * A node of a two-node cluster dies with SIGKILL (a crash, the OOM killer): nothing it held is
 * lost, and its channels are free again within the lease (docs/cluster.md, Failure behaviour; RedisCluster.LEASE,
 * 10 s). Each test has its own cluster on its own Redis, as each kills a node.
 */
class NodeLossIT {

    private static final Logger LOG = System.getLogger(NodeLossIT.class.getName());
    /** The documented lease (10 s) plus a margin for the heartbeat's period and a loaded machine. */
    private static final Duration CHANNEL_FREED_WITHIN = Duration.ofSeconds(15);
    private static final Map<String, String> SETTINGS = Map.of("history.size", "1000",
            "ack.backoff.ms", "200", "ack.backoff.max.ms", "1000");

    @Test
    void aKilledNodesChannelIsFreeWithinTheLeaseAndItsUserResumesOnTheOtherNodeLosingNothing() throws Exception {
        String topic = "kill-t";
        try (ClusterNodes cluster = ClusterNodes.onOwnRedis("kill", 2, SETTINGS, false).start()) {
            ServerProcess a = cluster.node(0);
            ServerProcess b = cluster.node(1);
            JsonObject lastSeen = null;
            String callId;
            long killStarted;
            try (ChannelClient onA = welcomed(a, "olga", "olga-desk")) {
                subscribe(onA, topic, null);
                onA.expect("subscribed");
                for (int i = 1; i <= 5; i++) {
                    publish(b, topic, i);
                }
                for (int i = 1; i <= 5; i++) {
                    lastSeen = onA.expect("message");
                    assertThat(lastSeen.getInt("data")).isEqualTo(i);
                }
                HttpApi.Response pushed = HttpApi.withApiKey(b).post("/api/v1/users/olga/messages",
                        "{\"data\":\"call 1\",\"ack\":true}");
                assertThat(pushed.status()).as(pushed.body()).isEqualTo(202);
                callId = pushed.json().getString("id");
                JsonObject call = onA.expect("message");
                assertThat(call.getString("id")).isEqualTo(callId);
                assertThat(call.getBoolean("ack")).isTrue(); // and olga never acks it on node a

                killStarted = System.nanoTime();
                a.kill();
                // No close frame: the peer is gone (1006, as the client library reports a dropped connection).
                assertThat(onA.awaitClose().getCloseCode().getCode()).isEqualTo(1006);
            }
            for (int i = 6; i <= 10; i++) {
                publish(b, topic, i); // while olga is away
            }

            String token = TestTokens.token("olga");
            // Proves the wait below measures the lease: the dead node's claim still counts at first.
            assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(b, token, "olga-desk"), null))
                    .as("connect to the dead node's channel at once").isEqualTo(409);
            AtomicReference<ChannelClient> resumed = new AtomicReference<>();
            await("olga-desk free on node b").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        try {
                            resumed.set(ChannelClient.connect(b, token, "olga-desk"));
                            return true;
                        } catch (DeploymentException e) {
                            assertThat(ChannelClient.refusalStatusOf(e)).isEqualTo(409);
                            return false;
                        }
                    });
            Duration freedAfter = Duration.ofNanos(System.nanoTime() - killStarted);
            LOG.log(Level.INFO, "Channel of the SIGKILLed node free on the other node after {0} ms (lease {1} s)",
                    freedAfter.toMillis(), 10);
            assertThat(freedAfter).as("time from SIGKILL to the channel being free").isLessThanOrEqualTo(
                    CHANNEL_FREED_WITHIN);

            try (ChannelClient onB = resumed.get()) {
                onB.expect("welcome");
                subscribe(onB, topic, lastSeen);
                List<Integer> replayed = new ArrayList<>();
                List<String> userMessages = new ArrayList<>();
                JsonObject subscribed = null;
                // The waiting call comes at the welcome or by redelivery, so it may precede or follow the replay.
                while (subscribed == null || !userMessages.contains(callId)) {
                    JsonObject frame;
                    try {
                        frame = onB.next();
                    } catch (AssertionError e) {
                        throw new AssertionError("waiting for the resumed subscription and call " + callId
                                + "; olga's inbox: " + HttpApi.withApiKey(b).get("/api/v1/users/olga/inbox").body(), e);
                    }
                    switch (frame.getString("type")) {
                        case "subscribed" -> subscribed = frame;
                        case "message" -> {
                            if (frame.containsKey("topic")) {
                                assertThat(subscribed).as("a topic message before the subscription's answer").isNull();
                                assertThat(frame.getString("epoch")).isEqualTo(lastSeen.getString("epoch"));
                                assertThat(offset(frame)).isEqualTo(offset(lastSeen) + replayed.size() + 1);
                                replayed.add(frame.getInt("data"));
                            } else {
                                assertThat(frame.getString("user")).isEqualTo("olga");
                                userMessages.add(frame.getString("id"));
                            }
                        }
                        default -> throw new AssertionError("unexpected frame " + frame);
                    }
                }
                assertThat(replayed).as("the exact replay").isEqualTo(IntStream.rangeClosed(6, 10).boxed().toList());
                assertThat(subscribed.getBoolean("recovered")).isTrue();
                assertThat(offset(subscribed)).isEqualTo(offset(lastSeen) + 5);

                onB.send("{\"type\":\"ack\",\"id\":\"" + callId + "\"}");
                await("the call acknowledged").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(HttpApi.withApiKey(b).get("/api/v1/users/olga/inbox").body()).doesNotContain(callId));

                JsonObject live = publish(b, topic, 11);
                JsonObject next = onB.awaitFrame("message");
                while (next.containsKey("user")) {
                    next = onB.awaitFrame("message"); // a redelivery of the call sent before the ack landed
                }
                assertThat(next.getInt("data")).isEqualTo(11);
                assertThat(offset(next)).isEqualTo(offset(live)).isEqualTo(offset(lastSeen) + 6);
            }
        }
    }

    @Test
    void theJavaClientReconnectsThroughTheLoadBalancerAfterItsNodeIsKilledWithNoGapAndNoDuplicate()
            throws Exception {
        String topic = "jc-kill";
        Recorder recorder = new Recorder();
        try (ClusterNodes cluster = ClusterNodes.onOwnRedis("jc-kill", 2, SETTINGS, false).start()) {
            ServerProcess a = cluster.node(0);
            ServerProcess b = cluster.node(1);
            // One address for the client, as behind a load balancer; it sends new connections to b once a is dead.
            try (DroppingProxy balancer = new DroppingProxy(a.port());
                    SwitchboardClient client = SwitchboardClient.builder(URI.create("ws://127.0.0.1:" + balancer.port()))
                            .token(TestTokens.token("sam"))
                            .containers(ClientManager::createClient)
                            .channelId("sam-desk")
                            // The 409s until the dead node's lease runs out must not push the backoff to its 10 s default cap.
                            .backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5)
                            .listener(recorder)
                            .build()) {
                client.subscribe(topic);
                client.connect().get(10, SECONDS);
                for (int i = 1; i <= 20; i++) {
                    publish(b, topic, i);
                }
                await("the first 20 messages").atMost(Duration.ofSeconds(10)).until(() -> recorder.messages().size() == 20);

                long killStarted = System.nanoTime();
                a.kill();
                balancer.forwardTo(b.port());
                for (int i = 21; i <= 30; i++) {
                    publish(b, topic, i); // while the client is away
                }
                await("client connected to node b and resumed").atMost(Duration.ofSeconds(30))
                        .until(() -> client.state() == SwitchboardClient.State.CONNECTED
                                && recorder.recoveredSubscriptions.get() >= 1);
                LOG.log(Level.INFO, "Java client resumed on the other node {0} ms after SIGKILL",
                        Duration.ofNanos(System.nanoTime() - killStarted).toMillis());
                for (int i = 31; i <= 40; i++) {
                    publish(b, topic, i);
                }
                await("all 40 messages").atMost(Duration.ofSeconds(10))
                        .until(() -> recorder.messages().size() >= 40 || !recorder.recoveryFailures.isEmpty());

                assertThat(recorder.recoveryFailures).as("recovery failures").isEmpty();
                List<IncomingMessage> messages = recorder.messages();
                assertThat(messages).extracting(IncomingMessage::offset)
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
                assertThat(messages).allSatisfy(m -> assertThat(m.data().toString()).isEqualTo(Long.toString(m.offset())));
                assertThat(messages.stream().map(IncomingMessage::epoch).distinct()).hasSize(1);
                assertThat(recorder.connects.get()).as("sessions opened").isEqualTo(2);
                assertThat(recorder.errors).isEmpty();
            }
        }
    }

    /** Records what the Java client reports, from its event thread; read by the test thread. */
    private static final class Recorder implements SwitchboardListener {
        private final List<IncomingMessage> messages = Collections.synchronizedList(new ArrayList<>());
        private final List<RecoveryFailure> recoveryFailures = Collections.synchronizedList(new ArrayList<>());
        private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger connects = new AtomicInteger();
        private final AtomicInteger recoveredSubscriptions = new AtomicInteger();

        @Override
        public void onMessage(IncomingMessage message) {
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
    }
}
