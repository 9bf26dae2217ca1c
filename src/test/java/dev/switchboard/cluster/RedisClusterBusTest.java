package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.ClusterBus;
import dev.switchboard.broker.ClusterBus.Interest;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.TestDeliveries;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisClusterBusTest {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final DeliveryCodec CODEC = new DeliveryCodec(JSONB);
    private static final Duration TIMEOUT = RedisConnections.DEFAULT_COMMAND_TIMEOUT;
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** Closed after each test, last opened first. */
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void flush() {
        RedisServer.shared().flushAll();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @AfterAll
    static void closeJsonb() throws Exception {
        JSONB.close();
    }

    @Test
    void aUserDeliveryReachesTheOtherNodesFollowingTheUserButNotTheSender() {
        Node a = node("A");
        Node b = node("B");
        a.bus.follow(Interest.USER, "ann");
        b.bus.follow(Interest.USER, "ann");

        a.bus.send(toUser("from-a", "ann"));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("from-a"));
        b.bus.send(toUser("from-b", "ann"));

        // Same channel, so same lane: had A taken its own send, it would come before "from-b".
        await().atMost(WAIT).until(() -> a.inbound.deliveries().contains("from-b"));
        assertThat(a.inbound.deliveries()).containsExactly("from-b");
        assertThat(b.inbound.deliveries()).containsExactly("from-a");
    }

    @Test
    void aDeliveryReachesOnlyTheNodesFollowingItsAddress() {
        Node a = node("A");
        Node b = node("B");
        String followed = "bob";
        String notFollowed = nameOnSameLane(RedisKeys::userChannel, followed);
        b.bus.follow(Interest.USER, followed);

        assertThat(a.bus.send(toUser("to-nobody-on-b", notFollowed))).as("nodes that took it").isZero();
        assertThat(a.bus.send(toUser("to-bob", followed))).as("nodes that took it").isEqualTo(1);

        // One lane: anything B had received for the other user would have been handed over first.
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("to-bob"));
        assertThat(b.inbound.deliveries()).containsExactly("to-bob");
    }

    @Test
    void aChannelDeliveryReachesTheNodeHoldingTheChannel() {
        Node a = node("A");
        Node b = node("B");
        b.bus.follow(Interest.CHANNEL, "ch-1");
        a.bus.follow(Interest.CHANNEL, "ch-1");

        a.bus.send(TestDeliveries.toChannel("c1", "ch-1", "{\"n\":1}", NOW, true));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("c1"));
        b.bus.send(TestDeliveries.toChannel("c2", "ch-1", "{\"n\":2}", NOW, true));

        await().atMost(WAIT).until(() -> a.inbound.deliveries().contains("c2"));
        assertThat(a.inbound.deliveries()).containsExactly("c2");
        assertThat(b.inbound.deliveries()).containsExactly("c1");
        Delivery received = b.inbound.delivery("c1");
        assertThat(received.target()).isEqualTo(Delivery.Target.CHANNEL);
        assertThat(received.address()).isEqualTo("ch-1");
        assertThat(received.dataJson()).isEqualTo("{\"n\":1}");
        assertThat(received.ackRequired()).isTrue();
    }

    @Test
    void aBroadcastReachesEveryOtherNodeWithoutAnyFollow() {
        Node a = node("A");
        Node b = node("B");
        Node c = node("C");

        a.bus.send(TestDeliveries.toEveryone("b1", "{}", NOW));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("b1") && c.inbound.deliveries().contains("b1"));
        b.bus.send(TestDeliveries.toEveryone("b2", "{}", NOW));

        await().atMost(WAIT).until(() -> a.inbound.deliveries().contains("b2") && c.inbound.deliveries().contains("b2"));
        assertThat(a.inbound.deliveries()).containsExactly("b2");
        assertThat(b.inbound.deliveries()).containsExactly("b1");
        assertThat(c.inbound.deliveries()).containsExactly("b1", "b2");
    }

    @Test
    void followsAreCountedAndTheLastUnfollowStopsDelivery() {
        Node a = node("A");
        Node b = node("B");
        String marker = nameOnSameLane(RedisKeys::userChannel, "carol");
        b.bus.follow(Interest.USER, marker);
        b.bus.follow(Interest.USER, "carol");
        b.bus.follow(Interest.USER, "carol");

        b.bus.unfollow(Interest.USER, "carol");
        a.bus.send(toUser("still-followed", "carol"));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("still-followed"));

        b.bus.unfollow(Interest.USER, "carol");
        a.bus.send(toUser("after-last-unfollow", "carol"));
        a.bus.send(toUser("marker", marker));

        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("marker"));
        assertThat(b.inbound.deliveries()).containsExactly("still-followed", "marker");
        assertThat(subscribers(b, RedisKeys.userChannel("carol"))).isZero();
    }

    @Test
    void topicAnnouncementsReachTheBrokerInOrderPerTopic() throws Exception {
        Node a = node("A");
        List<String> topics = namesOnDistinctLanes(RedisKeys::topicChannel, 4);
        for (String topic : topics) {
            a.bus.follow(Interest.TOPIC, topic);
        }
        int perTopic = 2_000;

        RedisAsyncCommands<String, String> publisher = publisher().commands().async();
        List<RedisFuture<Long>> published = new ArrayList<>();
        for (int offset = 1; offset <= perTopic; offset++) {
            for (String topic : topics) {
                published.add(publisher.publish(RedisKeys.topicChannel(topic), announcement(topic, offset, "e1")));
            }
        }
        for (RedisFuture<Long> future : published) {
            assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> topics.stream().allMatch(t -> a.inbound.topicMessages(t).size() == perTopic));
        List<String> expected = new ArrayList<>();
        for (int offset = 1; offset <= perTopic; offset++) {
            expected.add(offset + "@e1");
        }
        for (String topic : topics) {
            assertThat(a.inbound.topicMessages(topic)).as(topic).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void malformedMessagesAreDroppedAndTheLaneGoesOn() {
        Node a = node("A");
        a.bus.follow(Interest.TOPIC, "news");
        a.bus.follow(Interest.USER, "dan");
        String topicChannel = RedisKeys.topicChannel("news");
        String userChannel = RedisKeys.userChannel("dan");
        RedisConnections publisher = publisher();

        for (String bad : List.of("", "no lines", "x\ne1\n{}", "1\ne1\nnot json", "1\ne1\n{\"id\":\"i\"}",
                "1\ne1\n" + CODEC.encode(TestDeliveries.toTopic("other", "sport", 0, null, "{}", NOW)))) {
            publisher.commands().sync().publish(topicChannel, bad);
        }
        for (String bad : List.of("no sender", "B\nnot json", "B\n" + CODEC.encode(toUser("wrong", "eve")))) {
            publisher.commands().sync().publish(userChannel, bad);
        }
        publisher.commands().sync().publish(RedisKeys.nodeChannel("A"), "reboot\nNORMAL\ns1");
        publisher.commands().sync().publish(RedisKeys.nodeChannel("A"), "disconnect\nNO_SUCH_CODE\ns1");
        publisher.commands().sync().publish(topicChannel, announcement("news", 1, "e1"));
        publisher.commands().sync().publish(userChannel, "B\n" + CODEC.encode(toUser("good", "dan")));
        publisher.commands().sync().publish(RedisKeys.nodeChannel("A"), "disconnect\nNORMAL\ns2");

        await().atMost(WAIT).until(() -> a.inbound.topicMessages("news").size() == 1
                && a.inbound.deliveries().size() == 1 && a.inbound.disconnects().size() == 1);
        assertThat(a.inbound.topicMessages("news")).containsExactly("1@e1");
        assertThat(a.inbound.deliveries()).containsExactly("good");
        assertThat(a.inbound.disconnects()).containsExactly("s2:NORMAL");
    }

    @Test
    void aBrokerThatThrowsDoesNotStopTheLane() {
        Node a = node("A", inbound -> inbound.onTopicMessage = delivery -> {
            if (delivery.offset() == 1) {
                throw new IllegalStateException("broker bug, on purpose");
            }
        });
        a.bus.follow(Interest.TOPIC, "news");
        RedisConnections publisher = publisher();

        publisher.commands().sync().publish(RedisKeys.topicChannel("news"), announcement("news", 1, "e1"));
        publisher.commands().sync().publish(RedisKeys.topicChannel("news"), announcement("news", 2, "e1"));

        await().atMost(WAIT).until(() -> a.inbound.topicMessages("news").contains("2@e1"));
        assertThat(a.inbound.topicMessages("news")).containsExactly("2@e1");
    }

    @Test
    void aTopicBlockedInTheBrokerDoesNotHoldUpATopicOnAnotherLane() {
        CountDownLatch release = new CountDownLatch(1);
        List<String> topics = namesOnDistinctLanes(RedisKeys::topicChannel, 2);
        String slow = topics.get(0);
        String fast = topics.get(1);
        Node a = node("A", inbound -> inbound.onTopicMessage = delivery -> {
            if (delivery.address().equals(slow)) {
                await().atMost(WAIT).until(() -> release.getCount() == 0);
            }
        });
        a.bus.follow(Interest.TOPIC, slow);
        a.bus.follow(Interest.TOPIC, fast);
        RedisConnections publisher = publisher();

        publisher.commands().sync().publish(RedisKeys.topicChannel(slow), announcement(slow, 1, "e1"));
        publisher.commands().sync().publish(RedisKeys.topicChannel(fast), announcement(fast, 1, "e1"));

        await().atMost(WAIT).until(() -> a.inbound.topicMessages(fast).size() == 1);
        assertThat(a.inbound.topicMessages(slow)).isEmpty();
        release.countDown();
        await().atMost(WAIT).until(() -> a.inbound.topicMessages(slow).size() == 1);
    }

    @Test
    void aFullLaneDropsWhatItCannotHoldAndAsksForAResynchronisation() {
        CountDownLatch release = new CountDownLatch(1);
        Node a = node("A", RedisServer.shared(), NEVER, 1, 1, inbound -> inbound.onTopicMessage = delivery -> {
            if (delivery.offset() == 1) {
                await().atMost(WAIT).until(() -> release.getCount() == 0);
            }
        });
        a.bus.follow(Interest.TOPIC, "news");
        RedisConnections publisher = publisher();

        publisher.commands().sync().publish(RedisKeys.topicChannel("news"), announcement("news", 1, "e1"));
        publisher.commands().sync().publish(RedisKeys.topicChannel("news"), announcement("news", 2, "e1"));
        publisher.commands().sync().publish(RedisKeys.topicChannel("news"), announcement("news", 3, "e1"));

        // 1 is with the blocked broker, 2 waits in the lane's one place, 3 is dropped.
        await().atMost(WAIT).until(() -> a.inbound.resynchronisations.get() == 1);
        release.countDown();
        await().atMost(WAIT).until(() -> a.inbound.topicMessages("news").size() == 2);
        assertThat(a.inbound.topicMessages("news")).containsExactly("1@e1", "2@e1");
    }

    @Test
    void aDisconnectCommandReachesTheNamedNodeOnly() {
        Node a = node("A");
        Node b = node("B");

        a.bus.disconnect("B", "session-1", CloseCode.OPERATOR);
        b.bus.disconnect("A", "session-2", CloseCode.REPLACED);

        await().atMost(WAIT).until(() -> a.inbound.disconnects().size() == 1 && b.inbound.disconnects().size() == 1);
        assertThat(a.inbound.disconnects()).containsExactly("session-2:REPLACED");
        assertThat(b.inbound.disconnects()).containsExactly("session-1:OPERATOR");
    }

    @Test
    void theBrokerIsAskedToResynchronisePeriodicallyOnTheBusOwnThread() {
        Node a = node("A", RedisServer.shared(), Duration.ofMillis(50), inbound -> { });

        await().atMost(WAIT).until(() -> a.inbound.resynchronisations.get() >= 3);
        assertThat(a.inbound.resyncThreads).containsOnly("switchboard-bus-resync");
    }

    @Test
    void afterRedisIsBackTheBrokerResynchronisesAndDeliveriesFlowAgain() {
        RedisServer server = RedisServer.startOwn();
        opened.add(server);
        Node a = node("A", server, NEVER, inbound -> { });
        Node b = node("B", server, NEVER, inbound -> { });
        b.bus.follow(Interest.USER, "fay");
        a.bus.send(toUser("before", "fay"));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("before"));

        server.kill();
        await().atMost(WAIT).until(() -> !a.bus.isUp() && !b.bus.isUp());
        long start = System.nanoTime();
        assertThatThrownBy(() -> a.bus.send(toUser("during", "fay")))
                .isInstanceOf(ClusterUnavailableException.class)
                .hasMessageNotContaining("\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        // Never subscribed: the follow counts and is taken up once Redis is back.
        assertThatThrownBy(() -> b.bus.follow(Interest.USER, "gus")).isInstanceOf(ClusterUnavailableException.class);
        assertThat(a.inbound.resynchronisations.get()).isZero();

        server.restart();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> a.inbound.resynchronisations.get() >= 1 && b.inbound.resynchronisations.get() >= 1);
        await().atMost(WAIT).until(() -> a.bus.isUp() && b.bus.isUp());
        a.bus.send(toUser("after", "fay"));
        a.bus.send(toUser("to-gus", "gus"));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().containsAll(List.of("after", "to-gus")));
        assertThat(b.inbound.deliveries()).containsExactlyInAnyOrder("before", "after", "to-gus");
    }

    @Test
    void aFollowedNameIsForgottenOnceUnfollowedEvenForManyNames() throws Exception {
        Node a = node("A");
        int names = 100_000;
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < names; i += threads) {
                        a.bus.follow(Interest.USER, "user-" + i);
                        a.bus.unfollow(Interest.USER, "user-" + i);
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(a.bus.heldChannels()).isEqualTo(2); // its node channel and the broadcast channel
        assertThat(a.connections.commands().sync().pubsubChannels("sb:user:*")).isEmpty();
    }

    @Test
    void racingFollowsAndUnfollowsOfOneNameSettleOnTheCount() throws Exception {
        Node a = node("A");
        Node b = node("B");
        int threads = 4;
        int rounds = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        b.bus.follow(Interest.USER, "hal");
                        b.bus.unfollow(Interest.USER, "hal");
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(subscribers(b, RedisKeys.userChannel("hal"))).isZero();
        assertThat(b.bus.heldChannels()).isEqualTo(2);

        b.bus.follow(Interest.USER, "hal");
        a.bus.send(toUser("to-hal", "hal"));
        await().atMost(WAIT).until(() -> b.inbound.deliveries().contains("to-hal"));
    }

    @Test
    void closeUnsubscribesButLeavesTheSharedConnectionsOpen() {
        Node a = node("A");
        a.bus.follow(Interest.TOPIC, "news");
        a.bus.follow(Interest.USER, "ivy");

        a.bus.close();

        for (String channel : List.of(RedisKeys.topicChannel("news"), RedisKeys.userChannel("ivy"),
                RedisKeys.nodeChannel("A"), RedisKeys.BROADCAST_CHANNEL)) {
            assertThat(subscribers(a, channel)).as(channel).isZero();
        }
        assertThat(a.connections.isConnected()).isTrue();
        assertThat(a.connections.commands().sync().ping()).isEqualTo("PONG");
        assertThat(a.bus.isUp()).isFalse();
        assertThatThrownBy(() -> a.bus.send(toUser("late", "ivy"))).isInstanceOf(ClusterUnavailableException.class);
        a.bus.unfollow(Interest.USER, "ivy"); // a session closing after the bus: no exception
        a.bus.close(); // idempotent
    }

    @Test
    void topicDeliveriesAreNotSentOnTheBus() {
        Node a = node("A");

        assertThatThrownBy(() -> a.bus.send(TestDeliveries.toTopic("t", "news", 1, "e1", "{}", NOW)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers ---

    private record Node(RedisConnections connections, RedisClusterBus bus, RecordingInbound inbound) {}

    private Node node(String id) {
        return node(id, inbound -> { });
    }

    private Node node(String id, Consumer<RecordingInbound> setUp) {
        return node(id, RedisServer.shared(), NEVER, setUp);
    }

    private Node node(String id, RedisServer server, Duration resyncInterval, Consumer<RecordingInbound> setUp) {
        return node(id, server, resyncInterval, RedisClusterBus.DEFAULT_LANES, RedisClusterBus.DEFAULT_LANE_CAPACITY,
                setUp);
    }

    private Node node(String id, RedisServer server, Duration resyncInterval, int lanes, int laneCapacity,
            Consumer<RecordingInbound> setUp) {
        RedisConnections connections = new RedisConnections(server.uri(), TIMEOUT);
        opened.add(connections);
        RedisClusterBus bus = new RedisClusterBus(connections, CODEC, id, resyncInterval, lanes, laneCapacity);
        opened.add(bus);
        RecordingInbound inbound = new RecordingInbound();
        setUp.accept(inbound);
        bus.start(inbound);
        return new Node(connections, bus, inbound);
    }

    private RedisConnections publisher() {
        RedisConnections connections = new RedisConnections(RedisServer.shared().uri(), TIMEOUT);
        opened.add(connections);
        return connections;
    }

    private static long subscribers(Node node, String channel) {
        Map<String, Long> counts = node.connections.commands().sync().pubsubNumsub(channel);
        return counts.getOrDefault(channel, 0L);
    }

    private static Delivery toUser(String id, String user) {
        return TestDeliveries.toUser(id, user, null, "{\"id\":\"" + id + "\"}", NOW, false);
    }

    /** What the topic log's script publishes for a topic message (the delivery is encoded without its position). */
    private static String announcement(String topic, long offset, String epoch) {
        Delivery delivery = TestDeliveries.toTopic(topic + "-" + offset, topic, 0, null, "{\"n\":" + offset + "}", NOW);
        return TopicAnnouncement.encode(offset, epoch, CODEC.encode(delivery));
    }

    /** A name whose channel is carried by the same lane as {@code other}'s, so their order is kept. */
    private static String nameOnSameLane(java.util.function.Function<String, String> channel, String other) {
        int lane = RedisClusterBus.laneOf(channel.apply(other), RedisClusterBus.DEFAULT_LANES);
        for (int i = 0; ; i++) {
            String name = other + "-twin-" + i;
            if (RedisClusterBus.laneOf(channel.apply(name), RedisClusterBus.DEFAULT_LANES) == lane) {
                return name;
            }
        }
    }

    /** {@code count} names whose channels are each carried by a different lane. */
    private static List<String> namesOnDistinctLanes(java.util.function.Function<String, String> channel, int count) {
        Map<Integer, String> byLane = new ConcurrentHashMap<>();
        for (int i = 0; byLane.size() < count; i++) {
            String name = "topic-" + i;
            byLane.putIfAbsent(RedisClusterBus.laneOf(channel.apply(name), RedisClusterBus.DEFAULT_LANES), name);
        }
        return List.copyOf(new LinkedHashSet<>(byLane.values()));
    }

    /** Records what the bus hands over. Thread safe; lists are copied on read. */
    static final class RecordingInbound implements ClusterBus.Inbound {
        /** Runs before a topic message is recorded (may block or throw); set before start. */
        volatile Consumer<Delivery> onTopicMessage = delivery -> { };
        final AtomicInteger resynchronisations = new AtomicInteger();
        final Set<String> resyncThreads = ConcurrentHashMap.newKeySet();
        private final Map<String, List<String>> topicMessages = new ConcurrentHashMap<>();
        private final List<Delivery> deliveries = new ArrayList<>();
        private final List<String> disconnects = new ArrayList<>();

        @Override
        public void topicMessage(Delivery delivery) {
            onTopicMessage.accept(delivery);
            List<String> messages = topicMessages.computeIfAbsent(delivery.address(), t -> new ArrayList<>());
            synchronized (messages) {
                messages.add(delivery.offset() + "@" + delivery.epoch());
            }
        }

        @Override
        public synchronized void delivery(Delivery delivery) {
            deliveries.add(delivery);
        }

        @Override
        public synchronized void disconnect(String sessionId, CloseCode code) {
            disconnects.add(sessionId + ":" + code.name());
        }

        @Override
        public void resynchronise() {
            resyncThreads.add(Thread.currentThread().getName());
            resynchronisations.incrementAndGet();
        }

        List<String> topicMessages(String topic) {
            List<String> messages = topicMessages.getOrDefault(topic, List.of());
            synchronized (messages) {
                return List.copyOf(messages);
            }
        }

        synchronized List<String> deliveries() {
            return deliveries.stream().map(Delivery::id).toList();
        }

        synchronized Delivery delivery(String id) {
            return deliveries.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
        }

        synchronized List<String> disconnects() {
            return List.copyOf(disconnects);
        }
    }
}
