package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The broker's side of a cluster, with two brokers sharing one log and one channel registry in
 * this process, and a bus that the test drives by hand: announcements arrive when, how often and
 * in the order the test says. What the Redis parts do is tested against Redis in their own tests.
 */
class BrokerAcrossNodesTest {

    private static final HistoryPolicy HISTORY = new HistoryPolicy(100, Duration.ofMinutes(10));
    private static final RedeliveryPolicy ACKS = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2),
            10, Duration.ofDays(1), 5);

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
    private final InMemoryTopicLog sharedLog = new InMemoryTopicLog("e", HISTORY, budget, clock);
    private final FlakyChannelRegistry sharedChannels = new FlakyChannelRegistry(
            new InMemoryChannelRegistry(clock, Duration.ofSeconds(30)));
    private final HandDrivenBus busA = new HandDrivenBus();
    private final HandDrivenBus busB = new HandDrivenBus();
    private final Broker nodeA = node("node-a", busA, sharedLog);
    private final Broker nodeB = node("node-b", busB, sharedLog);

    private Broker node(String nodeId, HandDrivenBus bus, TopicLog log) {
        InMemorySessionRegistry sessions = new InMemorySessionRegistry();
        InMemorySubscriptionRegistry subscriptions = new InMemorySubscriptionRegistry();
        Broker broker = new Broker(subscriptions, sessions, new ClusterParts(bus, log, sharedChannels,
                new InMemoryInbox(ACKS, budget), new LocalPresence(sessions, subscriptions, nodeId)),
                new MessageIds(nodeId), new BrokerStats(), clock, nodeId, HISTORY, ACKS, budget);
        broker.start();
        return broker;
    }

    @Test
    void announcementsFromAnotherNodeReachSubscribersHereInOrderAndOnceEach() {
        RecordingSubscriber reader = subscribed(nodeB, "news", "s1");
        List<Delivery> published = publishOnA("news", 3);

        for (int i : new int[] {0, 1, 1, 2, 0}) {
            busB.announce(published.get(i));
        }

        assertThat(reader.deliveries()).extracting(Delivery::offset).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aMissedAnnouncementIsReadBackFromTheLogBeforeTheNextOne() {
        RecordingSubscriber reader = subscribed(nodeB, "news", "s1");
        List<Delivery> published = publishOnA("news", 4);

        busB.announce(published.get(0));
        busB.announce(published.get(3));

        assertThat(reader.deliveries()).extracting(Delivery::offset).containsExactly(1L, 2L, 3L, 4L);
        assertThat(reader.payloads()).containsExactly("1", "2", "3", "4");
    }

    @Test
    void aGapTheLogNoLongerHoldsClosesTheSubscribersHereWith4010InsteadOfSkippingIt() {
        InMemoryTopicLog shortLog = new InMemoryTopicLog("short", new HistoryPolicy(1, Duration.ofMinutes(10)),
                budget, clock);
        HandDrivenBus busC = new HandDrivenBus();
        Broker nodeC = node("node-c", busC, shortLog);
        Broker nodeD = node("node-d", new HandDrivenBus(), shortLog);
        RecordingSubscriber reader = subscribed(nodeC, "news", "s1");
        List<Delivery> published = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            published.add(announcedDelivery(nodeD.publish("news", Integer.toString(i)), "news", i));
        }

        busC.announce(published.get(2));

        assertThat(reader.deliveries()).isEmpty();
        assertThat(reader.disconnects()).containsExactly(CloseCode.STREAM_GAP);
    }

    @Test
    void anotherEpochInAnAnnouncementClosesTheSubscribersHereWith4010() {
        RecordingSubscriber reader = subscribed(nodeB, "news", "s1");
        Delivery fromALostLog = Delivery.toTopic("x-1", "news", 1, "another-epoch", "1", clock.instant());

        busB.announce(fromALostLog);

        assertThat(reader.deliveries()).isEmpty();
        assertThat(reader.disconnects()).containsExactly(CloseCode.STREAM_GAP);
    }

    @Test
    void resynchronisingWithoutAnyAnnouncementDeliversWhatWasAppendedMeanwhile() {
        RecordingSubscriber reader = subscribed(nodeB, "news", "s1");
        publishOnA("news", 2);

        busB.inbound.resynchronise();

        assertThat(reader.deliveries()).extracting(Delivery::offset).containsExactly(1L, 2L);
    }

    @Test
    void aClientResumingOnANodeBehindItFirstBringsTheNodesSubscribersUpToItsPosition() {
        RecordingSubscriber early = subscribed(nodeB, "news", "s1");
        List<Delivery> published = publishOnA("news", 5);
        RecordingSubscriber resumed = session("s2", "bob");
        assertThat(nodeB.open(resumed, null)).isTrue();
        List<Delivery> replayed = new ArrayList<>();

        SubscribeOutcome outcome = nodeB.subscribe("news", resumed, published.get(2).position(), replayed::add,
                o -> { });
        busB.announce(published.get(3));
        busB.announce(published.get(4));

        assertThat(outcome.recovered()).isTrue();
        assertThat(outcome.offset()).isEqualTo(3);
        assertThat(replayed).isEmpty();
        assertThat(early.deliveries()).extracting(Delivery::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(resumed.deliveries()).extracting(Delivery::offset).containsExactly(4L, 5L);
    }

    @Test
    void theFirstSubscriberHereFollowsTheTopicAndTheLastOneToLeaveUnfollowsIt() {
        RecordingSubscriber first = subscribed(nodeB, "news", "s1");
        RecordingSubscriber second = subscribed(nodeB, "news", "s2");
        assertThat(busB.follows("TOPIC:news")).isEqualTo(1);

        nodeB.unsubscribe("news", first);
        assertThat(busB.follows("TOPIC:news")).isEqualTo(1);
        nodeB.unsubscribe("news", second);
        assertThat(busB.follows("TOPIC:news")).isZero();
    }

    @Test
    void aUserDeliveryOrADisconnectFromAnotherNodeReachesTheSessionsHere() {
        RecordingSubscriber carol = session("s1", "carol");
        assertThat(nodeB.open(carol, null)).isTrue();
        assertThat(busB.follows("USER:carol")).isEqualTo(1);

        nodeA.pushToUser("carol", null, "\"ring\"", false);
        busB.inbound.delivery(busA.sent.get(0));
        busB.inbound.disconnect("s1", CloseCode.OPERATOR);

        assertThat(carol.payloads()).containsExactly("\"ring\"");
        assertThat(carol.disconnects()).containsExactly(CloseCode.OPERATOR);
        nodeB.close(carol, List.of());
        assertThat(busB.follows("USER:carol")).isZero();
    }

    @Test
    void replacingAChannelHeldOnAnotherNodeAsksThatNodeToCloseItsSession() {
        RecordingSubscriber holder = session("s1", "alice", "desk-1");
        ChannelClaim first = nodeA.claimChannel("desk-1", "alice", ChannelPolicy.REPLACE);
        assertThat(nodeA.open(holder, ((ChannelClaim.Granted) first).reservation())).isTrue();

        ChannelClaim second = nodeB.claimChannel("desk-1", "alice", ChannelPolicy.REPLACE);

        assertThat(second).isInstanceOf(ChannelClaim.Granted.class);
        assertThat(busB.disconnects).containsExactly("node-a s1 REPLACED");
        assertThat(holder.disconnects()).as("closed by its own node, when the command arrives").isEmpty();
    }

    @Test
    void aChannelWhoseReleaseFailedWhileTheClusterWasAwayIsReleasedOnceItIsBack() {
        RecordingSubscriber holder = session("s1", "alice", "desk-1");
        ChannelClaim claim = nodeA.claimChannel("desk-1", "alice", ChannelPolicy.REJECT);
        assertThat(nodeA.open(holder, ((ChannelClaim.Granted) claim).reservation())).isTrue();

        sharedChannels.failReleases(true);
        nodeA.close(holder, List.of());
        assertThat(nodeB.claimChannel("desk-1", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Refused.class);
        nodeA.retryReleases();
        sharedChannels.failReleases(false);
        nodeA.retryReleases();

        assertThat(nodeB.claimChannel("desk-1", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void aResumeThatCannotReadTheLogFailsAndLeavesTheTopicUnfollowed() {
        TopicLog unreadable = new TopicLog() {
            @Override public StreamPosition append(String topic, Delivery message) { return sharedLog.append(topic, message); }
            @Override public StreamPosition position(String topic) { return sharedLog.position(topic); }
            @Override public List<Delivery> read(String topic, StreamPosition from, long through) {
                throw new ClusterUnavailableException("Redis is away (test)");
            }
            @Override public int topicCount() { return 0; }
        };
        HandDrivenBus busC = new HandDrivenBus();
        Broker nodeC = node("node-c", busC, unreadable);
        RecordingSubscriber resuming = session("s1", "alice");
        assertThat(nodeC.open(resuming, null)).isTrue();
        PublishReceipt published = nodeA.publish("news", "1");
        StreamPosition since = new StreamPosition(0, published.epoch());

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                nodeC.subscribe("news", resuming, since, d -> { }, o -> { }))
                .isInstanceOf(ClusterUnavailableException.class);

        assertThat(busC.follows("TOPIC:news")).isZero();
        assertThat(nodeC.presence("news")).isEmpty();
    }

    // --- helpers ---

    private List<Delivery> publishOnA(String topic, int count) {
        List<Delivery> published = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            published.add(announcedDelivery(nodeA.publish(topic, Integer.toString(i)), topic, i));
        }
        return published;
    }

    /** What the shared log announces for a receipt: the message read back at its position. */
    private Delivery announcedDelivery(PublishReceipt receipt, String topic, int payload) {
        return Delivery.toTopic(receipt.id(), topic, receipt.offset(), receipt.epoch(), Integer.toString(payload),
                clock.instant());
    }

    private RecordingSubscriber subscribed(Broker node, String topic, String sessionId) {
        RecordingSubscriber subscriber = session(sessionId, "user-" + sessionId);
        assertThat(node.open(subscriber, null)).isTrue();
        node.subscribe(topic, subscriber, null, d -> { }, o -> { });
        return subscriber;
    }

    private static RecordingSubscriber session(String id, String user) {
        return new RecordingSubscriber(id, user, null);
    }

    private static RecordingSubscriber session(String id, String user, String channelId) {
        return new RecordingSubscriber(id, user, channelId);
    }

    /** A bus whose arrivals the test makes itself, recording what the broker asks of it. */
    private static final class HandDrivenBus implements ClusterBus {
        ClusterBus.Inbound inbound;
        final Map<String, AtomicInteger> follows = new ConcurrentHashMap<>();
        final List<Delivery> sent = new ArrayList<>();
        final List<String> disconnects = new ArrayList<>();

        void announce(Delivery delivery) {
            inbound.topicMessage(delivery);
        }

        int follows(String key) {
            AtomicInteger count = follows.get(key);
            return count == null ? 0 : count.get();
        }

        @Override public void start(Inbound inbound) { this.inbound = inbound; }

        @Override public void follow(Interest interest, String name) {
            follows.computeIfAbsent(interest + ":" + name, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override public void unfollow(Interest interest, String name) {
            follows.get(interest + ":" + name).decrementAndGet();
        }

        @Override public int send(Delivery delivery) {
            sent.add(delivery);
            return 1;
        }

        @Override public void disconnect(String nodeId, String sessionId, CloseCode code) {
            disconnects.add(nodeId + " " + sessionId + " " + code);
        }

        @Override public boolean isUp() { return true; }

        @Override public void close() { }
    }

    /** A registry whose releases fail while told to, as Redis out of reach would. */
    private static final class FlakyChannelRegistry implements ChannelRegistry {
        private final ChannelRegistry delegate;
        private volatile boolean failReleases;

        FlakyChannelRegistry(ChannelRegistry delegate) {
            this.delegate = delegate;
        }

        void failReleases(boolean fail) {
            failReleases = fail;
        }

        @Override public ChannelClaim claim(String channelId, String user, String nodeId, ChannelPolicy policy) {
            return delegate.claim(channelId, user, nodeId, policy);
        }

        @Override public boolean bind(ChannelReservation reservation, String sessionId) {
            return delegate.bind(reservation, sessionId);
        }

        @Override public void cancel(ChannelReservation reservation) { delegate.cancel(reservation); }

        @Override public void release(String channelId, String sessionId) {
            if (failReleases) {
                throw new ClusterUnavailableException("Redis is away (test)");
            }
            delegate.release(channelId, sessionId);
        }

        @Override public boolean reassert(ChannelHolder holder) { return delegate.reassert(holder); }

        @Override public Optional<ChannelHolder> holder(String channelId) { return delegate.holder(channelId); }

        @Override public List<ChannelHolder> openChannels() { return delegate.openChannels(); }
    }
}
