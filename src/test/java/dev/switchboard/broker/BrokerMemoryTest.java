package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Nothing the broker keeps grows forever: idle topics are forgotten, history and inboxes have a budget. */
class BrokerMemoryTest {

    private static final Logger LOG = System.getLogger(BrokerMemoryTest.class.getName());
    private static final String EPOCH = "epoch-1";
    private static final Duration IDLE = Duration.ofMinutes(1);
    private static final HistoryPolicy HISTORY = new HistoryPolicy(100, Duration.ofMinutes(10), 1 << 20, IDLE);
    private static final RedeliveryPolicy ACKS = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2),
            1000, Duration.ofDays(1), 5);

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final BrokerStats stats = new BrokerStats();

    private Broker broker(HistoryPolicy history, MemoryBudget budget) {
        return new Broker(new InMemorySubscriptionRegistry(), new InMemorySessionRegistry(),
                new InMemoryChannelRegistry(clock, Duration.ofSeconds(30)), new MessageIds("test"), stats, clock,
                "node-1", EPOCH, history, new InMemoryInbox(ACKS, budget), ACKS, budget);
    }

    private final Broker broker = broker(HISTORY, new MemoryBudget(Long.MAX_VALUE));

    @Test
    void aTopicWithNoSubscriberAndNoHistoryIsForgottenOnceIdleForTheIdleTime() {
        RecordingSubscriber alice = session("s1");
        broker.subscribe("call-1", alice, null, d -> { }, o -> { });
        clock.advance(Duration.ofMinutes(5));
        broker.unsubscribe("call-1", alice);

        clock.advance(IDLE.minusMillis(1));
        broker.sweep();
        assertThat(broker.topicCount()).as("idle time counts from the last subscriber leaving").isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        broker.sweep();
        assertThat(broker.topicCount()).isZero();
    }

    @Test
    void aSubscribedTopicIsNeverForgotten() {
        broker.subscribe("call-1", session("s1"), null, d -> { }, o -> { });
        clock.advance(Duration.ofDays(3));

        broker.sweep();

        assertThat(broker.topicCount()).isEqualTo(1);
    }

    @Test
    void aTopicWithHistoryIsKeptUntilItsHistoryExpiresAndItIsIdle() {
        broker.publish("call-1", "1");
        clock.advance(Duration.ofMinutes(9));
        broker.sweep();
        assertThat(broker.topicCount()).isEqualTo(1);
        assertThat(broker.memory().historyEntries()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(2)); // history TTL 10 min passed, unused for 11 min
        broker.sweep();

        assertThat(broker.topicCount()).isZero();
        assertThat(broker.memory().historyEntries()).isZero();
        assertThat(broker.memory().historyBytes()).isZero();
    }

    @Test
    void hundredThousandTopicsSubscribedAndUnsubscribedLeaveNoStreamBehind() {
        RecordingSubscriber visitor = session("s1");
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            topics.add("call-" + i);
        }
        long before = SettledHeap.used();
        for (String topic : topics) {
            broker.subscribe(topic, visitor, null, d -> { }, o -> { });
        }
        assertThat(broker.topicCount()).isEqualTo(100_000);
        broker.close(visitor, topics);
        long closed = SettledHeap.used();

        clock.advance(IDLE);
        broker.sweep();

        long swept = SettledHeap.used();
        LOG.log(Level.INFO, "100,000 topics subscribed then unsubscribed: {0} B per topic before the sweep, "
                + "{1} B per topic after", (closed - before) / 100_000, (swept - before) / 100_000);
        assertThat(broker.topicCount()).isZero();
        assertThat(broker.subscriptionCount()).isZero();
        // What stays are three emptied ConcurrentHashMap tables (subscriptions, the broker's topics,
        // the log's streams): 262,144 slots of 4 bytes each at 100,000 keys; they never shrink.
        assertThat(swept - before).as("heap back where it was, but for three map tables (3 MiB), give or take 1 MB")
                .isLessThan(3 * 1_048_576 + 1_000_000);
    }

    @Test
    void resumeAgainstAForgottenTopicIsNotRecoveredEvenWhereTheNewStreamHasTheSameOffsets() {
        RecordingSubscriber reader = session("s1");
        SubscribeOutcome first = broker.subscribe("call-1", reader, null, d -> { }, o -> { });
        broker.publish("call-1", "\"old-1\"");
        broker.publish("call-1", "\"old-2\"");
        broker.close(reader, List.of("call-1"));
        clock.advance(Duration.ofMinutes(11)); // history expired and idle
        broker.sweep();
        assertThat(broker.topicCount()).isZero();

        // Used again: offsets start over, in a new epoch.
        PublishReceipt again = broker.publish("call-1", "\"new-1\"");
        broker.publish("call-1", "\"new-2\"");
        broker.publish("call-1", "\"new-3\"");
        List<Delivery> replayed = new ArrayList<>();
        SubscribeOutcome resumed = broker.subscribe("call-1", session("s2"), new StreamPosition(1, first.epoch()),
                replayed::add, o -> { });

        assertThat(again.offset()).isEqualTo(1);
        assertThat(again.epoch()).isNotEqualTo(first.epoch()).startsWith(EPOCH);
        assertThat(resumed.recovered()).as("offset 1 of the old epoch is not offset 1 of the new").isFalse();
        assertThat(resumed.epoch()).isEqualTo(again.epoch());
        assertThat(resumed.offset()).isEqualTo(3);
        assertThat(replayed).isEmpty();
    }

    @Test
    void historyIsBoundedInBytesPerTopic() {
        Broker small = broker(new HistoryPolicy(100, Duration.ofMinutes(10), 3 * size(1000), IDLE),
                new MemoryBudget(Long.MAX_VALUE));
        for (int i = 0; i < 10; i++) {
            small.publish("big", payload(1000));
        }

        assertThat(small.memory().historyEntries()).isEqualTo(3);
        assertThat(small.memory().historyBytes()).isEqualTo(3 * size(1000));
        assertThat(small.subscribe("big", session("s1"), new StreamPosition(7, EPOCH + "-1"), d -> { }, o -> { })
                .recovered()).as("offsets 8..10 are held").isTrue();
        assertThat(small.subscribe("big", session("s2"), new StreamPosition(6, EPOCH + "-1"), d -> { }, o -> { })
                .recovered()).as("offset 7 was dropped for the byte bound").isFalse();
    }

    @Test
    void pastTheBudgetTheOldestHistoryAcrossTopicsGoesFirst() {
        MemoryBudget budget = new MemoryBudget(10 * size(1000));
        Broker bounded = broker(HISTORY, budget);
        for (int i = 0; i < 5; i++) {
            bounded.publish("a", payload(1000)); // a:1..5 at t0..t4
            clock.advance(Duration.ofSeconds(1));
            bounded.publish("b", payload(1000)); // b:1..5 at t0+1..t4+1 (interleaved, later than a's)
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(budget.historyBytes()).isEqualTo(10 * size(1000));
        assertThat(stats.historyEvicted()).isZero();

        bounded.publish("c", payload(1000)); // 11 messages: over the limit, back under 90 % = 9 messages

        assertThat(budget.historyBytes()).isLessThanOrEqualTo(budget.lowWater());
        assertThat(stats.historyEvicted()).isEqualTo(2);
        // a:1 and b:1 were the two oldest
        assertThat(resume(bounded, "a", 1)).isTrue();
        assertThat(resume(bounded, "a", 0)).isFalse();
        assertThat(resume(bounded, "b", 1)).isTrue();
        assertThat(resume(bounded, "b", 0)).isFalse();
        assertThat(resume(bounded, "c", 0)).as("the newest message is kept").isTrue();
    }

    @Test
    void pastTheBudgetWithNoHistoryLeftInboxesGiveUpTheirOldestMessagesCountedAsDeadLettered() {
        MemoryBudget budget = new MemoryBudget(10 * size(1000));
        Broker bounded = broker(HISTORY, budget);
        bounded.publish("a", payload(1000));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            ids.add(bounded.pushToUser(i % 2 == 0 ? "alice" : "bob", null, payload(1000), true).id());
        }

        assertThat(stats.historyEvicted()).as("history goes first").isEqualTo(1);
        assertThat(stats.deadLettered()).isEqualTo(1);
        assertThat(budget.used()).isLessThanOrEqualTo(budget.lowWater());
        assertThat(bounded.pendingFor("alice")).extracting(e -> e.delivery().id())
                .as("alice's first message was the oldest").doesNotContain(ids.get(0)).hasSize(4);
        assertThat(bounded.pendingFor("bob")).hasSize(5);
    }

    @Test
    void historyHoldsNoEncodingMadeForTheLiveFanOut() {
        RecordingSubscriber live = session("s1");
        broker.subscribe("news", live, null, d -> { }, o -> { });
        broker.publish("news", "\"hello\"");
        int[] encodings = new int[1];
        java.util.function.Function<Delivery, String> encoder = d -> {
            encodings[0]++;
            return "frame:" + d.dataJson();
        };
        live.deliveries().get(0).encoded(encoder);

        List<Delivery> replayed = new ArrayList<>();
        broker.subscribe("news", session("s2"), new StreamPosition(0, EPOCH + "-1"), replayed::add, o -> { });
        replayed.get(0).encoded(encoder);
        List<Delivery> replayedAgain = new ArrayList<>();
        broker.subscribe("news", session("s3"), new StreamPosition(0, EPOCH + "-1"), replayedAgain::add, o -> { });
        replayedAgain.get(0).encoded(encoder);

        assertThat(encodings[0]).as("each replay encodes afresh: nothing cached stays in the history").isEqualTo(3);
        assertThat(replayed.get(0).id()).isEqualTo(live.deliveries().get(0).id());
    }

    /**
     * Publishers, subscribers that come and go, and a sweeper forgetting every topic it can (no
     * history, no idle time) all at once: every subscriber must see one epoch and consecutive
     * offsets from its {@code subscribed} answer on, including every message published while it
     * was subscribed; a publish that landed in a forgotten stream would break either.
     */
    @Test
    void concurrentPublishSubscribeAndSweepLoseNoOffsetAndNoSubscriber() throws Exception {
        Broker churning = broker(new HistoryPolicy(0, Duration.ofMinutes(10), 1 << 20, Duration.ZERO),
                new MemoryBudget(Long.MAX_VALUE));
        int workers = 4;
        int rounds = 3_000;
        String[] topics = {"t0", "t1", "t2"};
        Set<String> epochsSeen = ConcurrentHashMap.newKeySet();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(workers + 2);
        try {
            CyclicBarrier start = new CyclicBarrier(workers + 2);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    for (int round = 0; round < rounds; round++) {
                        String topic = topics[(worker + round) % topics.length];
                        RecordingSubscriber reader = new RecordingSubscriber("w" + worker + "-" + round, "u", null);
                        SubscribeOutcome outcome = churning.subscribe(topic, reader, null, d -> { }, o -> { });
                        String mine = churning.publish(topic, "\"" + reader.sessionId() + "\"").id();
                        churning.unsubscribe(topic, reader);
                        epochsSeen.add(outcome.epoch());

                        List<Delivery> got = reader.deliveries();
                        assertThat(got).extracting(Delivery::id).as("own message while subscribed").contains(mine);
                        assertThat(got).extracting(Delivery::epoch).containsOnly(outcome.epoch());
                        for (int i = 0; i < got.size(); i++) {
                            assertThat(got.get(i).offset()).as("consecutive offsets")
                                    .isEqualTo(outcome.offset() + 1 + i);
                        }
                    }
                    return null;
                }));
            }
            futures.add(pool.submit(() -> { // a publisher that never subscribes
                start.await(5, TimeUnit.SECONDS);
                while (!done.get()) {
                    for (String topic : topics) {
                        churning.publish(topic, "0");
                    }
                }
                return null;
            }));
            Future<?> sweeper = pool.submit(() -> {
                start.await(5, TimeUnit.SECONDS);
                while (!done.get()) {
                    churning.sweep();
                }
                return null;
            });
            for (int w = 0; w < workers; w++) {
                futures.get(w).get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            futures.get(workers).get(10, TimeUnit.SECONDS);
            sweeper.get(10, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }

        assertThat(epochsSeen).as("topics were forgotten and made again meanwhile").hasSizeGreaterThan(topics.length);
        churning.sweep();
        assertThat(churning.topicCount()).isZero();
    }

    // --- helpers ---

    private boolean resume(Broker on, String topic, long offset) {
        String epoch = on.subscribe(topic, session("probe"), null, d -> { }, o -> { }).epoch();
        return on.subscribe(topic, session("probe"), new StreamPosition(offset, epoch), d -> { }, o -> { })
                .recovered();
    }

    private static String payload(int length) {
        return "\"" + "x".repeat(length - 2) + "\"";
    }

    private static long size(int payloadLength) {
        return MemoryBudget.ENTRY_OVERHEAD + payloadLength;
    }

    private static RecordingSubscriber session(String id) {
        return new RecordingSubscriber(id, "alice", null);
    }
}
