package dev.switchboard.it;

import static dev.switchboard.it.ClusterSessions.offset;
import static dev.switchboard.it.ClusterSessions.publish;
import static dev.switchboard.it.ClusterSessions.readiness;
import static dev.switchboard.it.ClusterSessions.subscribe;
import static dev.switchboard.it.ClusterSessions.welcomed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A two-node cluster whose Redis fails (docs/cluster.md, Failure behaviour): killed and restarted
 * without its data, killed and restarted with its append-only file, paused. What a client and a
 * backend see meanwhile and afterwards. Each test has its own Redis, which it breaks, and its own
 * nodes.
 *
 * <p>The outages here are shorter than the nodes' 10 s lease on purpose: past it, a node fences
 * itself and closes its channel sessions with 1013, which is another promise.
 */
class ClusterFailureIT {

    private static final Logger LOG = System.getLogger(ClusterFailureIT.class.getName());
    private static final Map<String, String> SETTINGS = Map.of("history.size", "1000");
    /** RedisConnections' command timeout is 2 s; the rest is for a loaded machine. */
    private static final Duration REFUSED_WITHIN = Duration.ofMillis(3_500);

    @Test
    void redisRestartedWithoutItsDataRefusesWritesMeanwhileThenResumesWithRecoveredFalseNeverASilentGap()
            throws Exception {
        String topic = "outage-t";
        try (ClusterNodes cluster = ClusterNodes.onOwnRedis("outage", 2, SETTINGS, false).start();
                ChannelClient reader = welcomed(cluster.node(0), "pia", "pia-desk");
                ChannelClient bystander = welcomed(cluster.node(0), "quinn", "quinn-desk")) {
            ServerProcess a = cluster.node(0);
            ServerProcess b = cluster.node(1);
            subscribe(reader, topic, null);
            reader.expect("subscribed");
            List<JsonObject> read = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                publish(b, topic, i);
            }
            for (int i = 1; i <= 3; i++) {
                read.add(reader.expect("message"));
            }
            JsonObject lastSeen = read.get(2);

            cluster.redis().kill();
            assertRefusedWhileRedisIsDown(cluster, bystander, "quinn");
            assertThat(reader.isOpen()).as("subscriber open during the outage").isTrue();
            assertThat(bystander.isOpen()).as("session open during the outage").isTrue();

            long restarted = System.nanoTime();
            cluster.redis().restart();
            awaitReadyEverywhere(cluster);
            LOG.log(Level.INFO, "Redis restarted without data: every node ready {0} ms later",
                    Duration.ofNanos(System.nanoTime() - restarted).toMillis());

            // The session that stayed open gets live pushes made through the other node again.
            assertThat(HttpApi.withApiKey(b).post("/api/v1/users/quinn/messages", "{\"data\":\"back\"}").status())
                    .isEqualTo(202);
            assertThat(bystander.awaitFrame("message").getString("data")).isEqualTo("back");

            // Redis lost the channel claims with everything else: the node holding quinn-desk records
            // its claim again, and the channel rule holds (a second session on the other node is refused).
            await("quinn-desk claimed again").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(ChannelRuleIT.openChannelUsers(b, "quinn-desk")).containsExactly("quinn"));
            assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(b, TestTokens.token("quinn"), "quinn-desk"),
                    null)).isEqualTo(409);

            // The topic's history is gone (new epoch): the open subscriber is told so by a close, not a gap.
            int code = reader.awaitClose(Duration.ofSeconds(15)).getCloseCode().getCode();
            LOG.log(Level.INFO, "Redis restarted without data: the topic subscriber was closed with {0} {1} ms after "
                    + "the restart", code, Duration.ofNanos(System.nanoTime() - restarted).toMillis());
            assertThat(code).isEqualTo(4010);
            while (reader.pendingFrames() > 0) {
                read.add(reader.next());
            }
            assertThat(read).as("all the subscriber saw: one epoch, offsets 1 to 3 in order").allSatisfy(frame -> {
                assertThat(frame.getString("type")).isEqualTo("message");
                assertThat(frame.getString("epoch")).isEqualTo(lastSeen.getString("epoch"));
            });
            assertThat(read).extracting(ClusterSessions::offset).containsExactly(1L, 2L, 3L);

            try (ChannelClient resumed = welcomed(b, "pia", "pia-desk-2")) {
                subscribe(resumed, topic, lastSeen);
                JsonObject subscribed = resumed.expect("subscribed"); // nothing replayed before it
                assertThat(subscribed.getBoolean("recovered")).isFalse();
                assertThat(subscribed.getString("epoch")).isNotEqualTo(lastSeen.getString("epoch"));

                JsonObject live = publish(a, topic, 4);
                assertThat(live.getString("epoch")).isEqualTo(subscribed.getString("epoch"));
                JsonObject message = resumed.expect("message");
                assertThat(message.getInt("data")).isEqualTo(4);
                assertThat(message.getString("epoch")).isEqualTo(subscribed.getString("epoch"));
                assertThat(offset(message)).isEqualTo(offset(live)).isEqualTo(offset(subscribed) + 1);
            }
            assertThat(bystander.isOpen()).isTrue();
        }
    }

    @Test
    void redisRestartedWithItsAppendOnlyFileKeepsTheTopicsEpochAndResumesWithAnExactReplay() throws Exception {
        String topic = "aof-t";
        try (ClusterNodes cluster = ClusterNodes.onOwnRedis("aof", 2, SETTINGS, true).start();
                ChannelClient reader = welcomed(cluster.node(0), "rita", "rita-desk")) {
            ServerProcess a = cluster.node(0);
            ServerProcess b = cluster.node(1);
            subscribe(reader, topic, null);
            reader.expect("subscribed");
            for (int i = 1; i <= 3; i++) {
                publish(b, topic, i);
            }
            JsonObject lastSeen = null;
            for (int i = 1; i <= 3; i++) {
                lastSeen = reader.expect("message");
            }

            cluster.redis().kill();
            assertRefusedWhileRedisIsDown(cluster, reader, "rita");
            long restarted = System.nanoTime();
            cluster.redis().restart();
            awaitReadyEverywhere(cluster);
            LOG.log(Level.INFO, "Redis restarted with its AOF: every node ready {0} ms later",
                    Duration.ofNanos(System.nanoTime() - restarted).toMillis());

            for (int i = 4; i <= 6; i++) {
                JsonObject receipt = publish(b, topic, i);
                assertThat(receipt.getString("epoch")).as("epoch kept by the AOF").isEqualTo(lastSeen.getString("epoch"));
                assertThat(offset(receipt)).isEqualTo(i);
            }
            // The subscriber that stayed open goes on where it was: same epoch, next offsets.
            for (int i = 4; i <= 6; i++) {
                JsonObject message = reader.expect("message");
                assertThat(message.getInt("data")).isEqualTo(i);
                assertThat(offset(message)).isEqualTo(i);
            }
            assertThat(reader.isOpen()).isTrue();

            try (ChannelClient resumed = welcomed(b, "rita", "rita-desk-2")) {
                subscribe(resumed, topic, lastSeen);
                List<Integer> replayed = new ArrayList<>();
                for (int i = 4; i <= 6; i++) {
                    JsonObject message = resumed.expect("message");
                    assertThat(offset(message)).isEqualTo(i);
                    replayed.add(message.getInt("data"));
                }
                assertThat(replayed).isEqualTo(List.of(4, 5, 6));
                JsonObject subscribed = resumed.expect("subscribed");
                assertThat(subscribed.getBoolean("recovered")).isTrue();
                assertThat(offset(subscribed)).isEqualTo(6);
                assertThat(subscribed.getString("epoch")).isEqualTo(lastSeen.getString("epoch"));
            }
        }
    }

    @Test
    void whileRedisIsPausedCallsAreRefusedWithinTheCommandTimeoutWithoutPilingUpThreadsAndThenWorkAgain()
            throws Exception {
        int concurrent = 50;
        try (ClusterNodes cluster = ClusterNodes.onOwnRedis("pause", 2, SETTINGS, false).start();
                ChannelClient reader = welcomed(cluster.node(1), "sven", "sven-desk")) {
            ServerProcess a = cluster.node(0);
            subscribe(reader, "pause-t", null);
            reader.expect("subscribed");
            publish(a, "pause-t", 0);
            assertThat(reader.expect("message").getInt("data")).isZero();
            ServerThreads before = ServerThreads.of(a);

            cluster.redis().pause(Duration.ofSeconds(5));
            long paused = System.nanoTime();
            ExecutorService backends = Executors.newFixedThreadPool(concurrent);
            List<Future<TimedResponse>> calls = new ArrayList<>();
            ServerThreads peak = before;
            try {
                CyclicBarrier start = new CyclicBarrier(concurrent);
                for (int i = 0; i < concurrent; i++) {
                    // One topic each: otherwise the calls would queue behind one topic's lock, which is another question.
                    String path = "/api/v1/topics/pause-" + i + "/messages";
                    calls.add(backends.submit(() -> {
                        start.await();
                        long sent = System.nanoTime();
                        HttpApi.Response response = HttpApi.withApiKey(a).post(path, "{\"data\":1}");
                        return new TimedResponse(response, Duration.ofNanos(System.nanoTime() - sent));
                    }));
                }
                // Sample the node's threads while the calls are held, to see the most it needs for them.
                while (calls.stream().anyMatch(call -> !call.isDone())) {
                    ServerThreads now = ServerThreads.of(a);
                    if (now.total() > peak.total()) {
                        peak = now;
                    }
                }
                List<TimedResponse> responses = new ArrayList<>();
                for (Future<TimedResponse> call : calls) {
                    responses.add(call.get());
                }
                Duration slowest = responses.stream().map(TimedResponse::took).max(Duration::compareTo).orElseThrow();
                LOG.log(Level.INFO, "Redis paused: {0} concurrent publishes answered within {1} ms; threads {2} -> "
                        + "peak {3}", concurrent, slowest.toMillis(), before, peak);
                assertThat(Duration.ofNanos(System.nanoTime() - paused)).as("all answered while Redis is still paused")
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(responses).allSatisfy(timed -> {
                    assertThat(timed.response().status()).as(timed.response().body()).isEqualTo(503);
                    assertThat(timed.response().header("Retry-After")).hasValue("1");
                    assertThat(timed.took()).isLessThan(REFUSED_WITHIN);
                });
            } finally {
                backends.shutdownNow();
            }
            // At most one request thread per held call, and nothing else per call.
            assertThat(peak.requestThreads()).isLessThanOrEqualTo(Math.max(before.requestThreads(), concurrent + 2));
            assertThat(peak.otherThreads() - before.otherThreads()).as("threads other than request threads added")
                    .isLessThanOrEqualTo(5);

            await("publishing works again after the pause").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(200)).until(() ->
                            HttpApi.withApiKey(a).post("/api/v1/topics/pause-t/messages", "{\"data\":1}").status() == 202);
            assertThat(reader.expect("message").getInt("data")).isEqualTo(1);
            assertThat(reader.isOpen()).isTrue();
            for (ServerProcess node : cluster.all()) {
                assertThat(readiness(node).status()).isEqualTo(200);
            }
        }
    }

    private record TimedResponse(HttpApi.Response response, Duration took) {
    }

    /**
     * What a load balancer, a backend and a client see from each node while Redis is down: not
     * ready, writes refused with a hint to retry, new sessions refused, and an open session (of
     * {@code openUser}, on the first node) told that its request failed while it stays open. A
     * refused push reaches nobody: the backend will retry it.
     */
    private static void assertRefusedWhileRedisIsDown(ClusterNodes cluster, ChannelClient openSession,
            String openUser) throws Exception {
        for (ServerProcess node : cluster.all()) {
            await("node " + node.port() + " not ready").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        HttpApi.Response ready = readiness(node);
                        assertThat(ready.status()).isEqualTo(503);
                        assertThat(ready.json().getString("status")).isEqualTo("CLUSTER_UNAVAILABLE");
                    });
            for (String call : List.of("/api/v1/topics/down-t/messages", "/api/v1/users/" + openUser + "/messages",
                    "/api/v1/broadcast")) {
                long sent = System.nanoTime();
                HttpApi.Response refused = HttpApi.withApiKey(node).post(call, "{\"data\":1}");
                assertThat(refused.status()).as("%s: %s", call, refused.body()).isEqualTo(503);
                assertThat(refused.header("Retry-After")).as(call).hasValue("1");
                assertThat(Duration.ofNanos(System.nanoTime() - sent)).as(call).isLessThan(REFUSED_WITHIN);
            }
        }
        assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(cluster.node(1),
                TestTokens.token("newcomer"), "newcomer-desk"), null)).as("new handshake").isEqualTo(503);
        subscribe(openSession, "down-t", null);
        // The very next frame: no refused push or broadcast arrived before it.
        JsonObject error = openSession.expect("error");
        assertThat(error.getString("code")).isEqualTo("internal");
        assertThat(openSession.isOpen()).isTrue();
    }

    /**
     * Waits until each node reports ready again, and checks that it then takes a new channel
     * session at once: a load balancer sends clients to a node as soon as it says it is ready.
     */
    private static void awaitReadyEverywhere(ClusterNodes cluster) throws Exception {
        for (ServerProcess node : cluster.all()) {
            await("node " + node.port() + " ready again").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(20)).until(() -> readiness(node).status() == 200);
            try (ChannelClient first = ChannelClient.connect(node, TestTokens.token("uma"), "uma-" + node.port())) {
                assertThat(first.expect("welcome").getString("channelId")).isEqualTo("uma-" + node.port());
            } catch (jakarta.websocket.DeploymentException e) {
                throw new AssertionError("node " + node.port() + " ready but refused a handshake with "
                        + ChannelClient.refusalStatusOf(e), e);
            }
        }
    }
}
