package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BrokerTest {

    private static final String EPOCH = "epoch-1";
    /** Each topic stream has its own epoch: the broker's, plus the number of the stream (the first is 1). */
    private static final String NEWS_EPOCH = EPOCH + "-1";

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final InMemoryChannelRegistry channels = new InMemoryChannelRegistry(clock, Duration.ofSeconds(30));
    private final BrokerStats stats = new BrokerStats();
    private static final HistoryPolicy HISTORY = new HistoryPolicy(3, Duration.ofMinutes(10));

    /** 3 deliveries in all, 1 s then 2 s apart; 2 messages per inbox; 1 day; 5 dead letters kept. */
    private static final RedeliveryPolicy ACKS = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2),
            2, Duration.ofDays(1), 5);

    private final MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
    private final Broker broker = new Broker(new InMemorySubscriptionRegistry(), new InMemorySessionRegistry(),
            channels, new MessageIds("test"), stats, clock, "node-1", EPOCH, HISTORY, new InMemoryInbox(ACKS, budget),
            ACKS, budget);

    @Test
    void offsetsOfATopicStartAtOneAndIncreaseByOne() {
        RecordingSubscriber alice = subscribed("news", session("s1", "alice"));

        PublishReceipt first = broker.publish("news", "1");
        PublishReceipt second = broker.publish("news", "2");
        PublishReceipt third = broker.publish("news", "3");

        assertThat(List.of(first.offset(), second.offset(), third.offset())).containsExactly(1L, 2L, 3L);
        assertThat(first.epoch()).isEqualTo(NEWS_EPOCH);
        assertThat(alice.deliveries()).extracting(Delivery::offset).containsExactly(1L, 2L, 3L);
        assertThat(alice.deliveries()).extracting(Delivery::epoch).containsOnly(NEWS_EPOCH);
    }

    @Test
    void eachTopicHasItsOwnOffsets() {
        broker.publish("news", "1");
        broker.publish("news", "2");

        assertThat(broker.publish("sport", "1").offset()).isEqualTo(1);
        assertThat(broker.publish("news", "3").offset()).isEqualTo(3);
    }

    @Test
    void publishReachesOnlyTheTopicsSubscribersWithTheDeliveryDetails() {
        RecordingSubscriber alice = subscribed("news", session("s1", "alice"));
        RecordingSubscriber bob = subscribed("sport", session("s2", "bob"));

        PublishReceipt receipt = broker.publish("news", "{\"headline\":\"hi\"}");

        assertThat(receipt.recipients()).isEqualTo(1);
        assertThat(alice.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo(receipt.id());
            assertThat(d.target()).isEqualTo(Delivery.Target.TOPIC);
            assertThat(d.address()).isEqualTo("news");
            assertThat(d.dataJson()).isEqualTo("{\"headline\":\"hi\"}");
            assertThat(d.timestamp()).isEqualTo(clock.instant());
            assertThat(d.ackRequired()).isFalse();
        });
        assertThat(bob.deliveries()).isEmpty();
    }

    @Test
    void everySubscriberGetsTheSameDeliveryInstance() {
        RecordingSubscriber alice = subscribed("news", session("s1", "alice"));
        RecordingSubscriber bob = subscribed("news", session("s2", "bob"));

        broker.publish("news", "1");

        assertThat(alice.deliveries().get(0)).isSameAs(bob.deliveries().get(0));
    }

    @Test
    void messageIdsAreUnique() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(broker.publish("news", "1").id());
            ids.add(broker.broadcast("1").id());
        }

        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void subscribeReportsTheTopicsCurrentPosition() {
        broker.publish("news", "1");
        broker.publish("news", "2");

        SubscribeOutcome outcome = broker.subscribe("news", session("s1", "alice"), null, d -> { }, o -> { });

        assertThat(outcome).isEqualTo(new SubscribeOutcome("news", 2, NEWS_EPOCH, false));
    }

    @Test
    void subscribeHandsTheOutcomeToBeforeLive() {
        AtomicReference<SubscribeOutcome> seen = new AtomicReference<>();

        SubscribeOutcome outcome = broker.subscribe("news", session("s1", "alice"), null, d -> { }, seen::set);

        assertThat(seen.get()).isSameAs(outcome);
    }

    @Test
    void beforeLiveRunsBeforeAnyLaterPublishReachesTheSubscriber() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        RecordingSubscriber alice = session("s1", "alice").onDeliver(d -> log.add("message " + d.dataJson()));
        AtomicReference<Thread> publisherThread = new AtomicReference<>();
        ExecutorService publisher = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "racing-publisher");
            publisherThread.set(thread);
            return thread;
        });
        try {
            AtomicReference<Future<PublishReceipt>> publish = new AtomicReference<>();
            broker.subscribe("news", alice, null, replayed -> { }, outcome -> {
                // Publish while the subscribe is still answering: the message must wait for the answer.
                publish.set(publisher.submit(() -> broker.publish("news", "\"live\"")));
                await().atMost(Duration.ofSeconds(5)).until(() -> publish.get().isDone()
                        || publisherThread.get() != null && publisherThread.get().getState() == Thread.State.BLOCKED);
                log.add("subscribed at " + outcome.offset());
            });
            publish.get().get(5, TimeUnit.SECONDS);
        } finally {
            publisher.shutdownNow();
        }

        assertThat(log).containsExactly("subscribed at 0", "message \"live\"");
    }

    @Test
    void sinceAtTheCurrentPositionAndEpochIsRecoveredWithNothingToReplay() {
        broker.publish("news", "1");
        broker.publish("news", "2");
        List<Delivery> replayed = new ArrayList<>();

        SubscribeOutcome outcome = broker.subscribe("news", session("s1", "alice"), new StreamPosition(2, NEWS_EPOCH),
                replayed::add, o -> { });

        assertThat(outcome.recovered()).isTrue();
        assertThat(replayed).isEmpty();
    }

    @Test
    void sinceBehindTheCurrentPositionReplaysExactlyTheMissedMessagesBeforeTheAnswer() {
        broker.publish("news", "1");
        broker.publish("news", "2");
        broker.publish("news", "3");
        List<String> log = new ArrayList<>();

        SubscribeOutcome outcome = broker.subscribe("news", session("s1", "alice"), new StreamPosition(1, NEWS_EPOCH),
                missed -> log.add("replay " + missed.offset()), answer -> log.add("subscribed " + answer.offset()));

        assertThat(outcome.recovered()).isTrue();
        assertThat(log).containsExactly("replay 2", "replay 3", "subscribed 3");
    }

    @Test
    void sinceOlderThanTheHistoryKeepsIsNotRecoveredAndReplaysNothing() {
        for (int i = 1; i <= 5; i++) {
            broker.publish("news", Integer.toString(i)); // the history keeps offsets 3..5
        }
        List<Delivery> replayed = new ArrayList<>();

        SubscribeOutcome outcome = broker.subscribe("news", session("s1", "alice"), new StreamPosition(1, NEWS_EPOCH),
                replayed::add, o -> { });

        assertThat(outcome.recovered()).isFalse();
        assertThat(outcome.offset()).isEqualTo(5);
        assertThat(replayed).isEmpty();
        assertThat(broker.subscribe("news", session("s2", "bob"), new StreamPosition(2, NEWS_EPOCH), replayed::add,
                o -> { }).recovered()).as("offsets 3..5 are all still held").isTrue();
        assertThat(replayed).extracting(Delivery::offset).containsExactly(3L, 4L, 5L);
    }

    @Test
    void messagesOlderThanTheHistoryTtlAreNotReplayed() {
        broker.publish("news", "1");
        clock.advance(Duration.ofMinutes(11));
        broker.publish("news", "2");

        assertThat(broker.subscribe("news", session("s1", "alice"), new StreamPosition(0, NEWS_EPOCH), d -> { },
                o -> { }).recovered()).isFalse();
        assertThat(broker.subscribe("news", session("s2", "bob"), new StreamPosition(1, NEWS_EPOCH), d -> { },
                o -> { }).recovered()).isTrue();
    }

    @Test
    void sinceAheadOfTheCurrentPositionIsNotRecovered() {
        broker.publish("news", "1");

        assertThat(broker.subscribe("news", session("s1", "alice"), new StreamPosition(5, NEWS_EPOCH), d -> { }, o -> { })
                .recovered()).isFalse();
    }

    @Test
    void sinceFromAnotherEpochIsNotRecovered() {
        broker.publish("news", "1");

        SubscribeOutcome outcome = broker.subscribe("news", session("s1", "alice"),
                new StreamPosition(1, "epoch-0"), d -> { }, o -> { });

        assertThat(outcome.recovered()).isFalse();
        assertThat(outcome.epoch()).isEqualTo(NEWS_EPOCH);
    }

    @Test
    void unsubscribedSessionGetsNoMoreMessages() {
        RecordingSubscriber alice = subscribed("news", session("s1", "alice"));
        broker.publish("news", "1");

        assertThat(broker.unsubscribe("news", alice)).isTrue();
        broker.publish("news", "2");

        assertThat(alice.payloads()).containsExactly("1");
        assertThat(broker.unsubscribe("news", alice)).isFalse();
    }

    @Test
    void pushToUserReachesEverySessionOfThatUserAndNoOneElse() {
        RecordingSubscriber alice1 = opened(session("s1", "alice"));
        RecordingSubscriber alice2 = opened(session("s2", "alice"));
        RecordingSubscriber bob = opened(session("s3", "bob"));

        PushReceipt receipt = broker.pushToUser("alice", "alerts", "{\"n\":1}", true);

        assertThat(receipt.sessions()).isEqualTo(2);
        assertThat(alice1.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo(receipt.id());
            assertThat(d.target()).isEqualTo(Delivery.Target.USER);
            assertThat(d.address()).isEqualTo("alice");
            assertThat(d.destination()).isEqualTo("alerts");
            assertThat(d.ackRequired()).isTrue();
            assertThat(d.offset()).isZero();
            assertThat(d.epoch()).isNull();
        });
        assertThat(alice2.deliveries()).hasSize(1);
        assertThat(bob.deliveries()).isEmpty();
    }

    @Test
    void pushToAUserWithoutSessionsReachesNoOne() {
        opened(session("s1", "alice"));

        assertThat(broker.pushToUser("nobody", null, "1", false).sessions()).isZero();
    }

    @Test
    void pushToChannelReachesTheSessionHoldingIt() {
        RecordingSubscriber holder = openedOnChannel("agent-42", session("s1", "alice", "agent-42"));
        RecordingSubscriber other = opened(session("s2", "alice"));

        Optional<PushReceipt> receipt = broker.pushToChannel("agent-42", "\"hello\"", false);

        assertThat(receipt).hasValueSatisfying(r -> assertThat(r.sessions()).isEqualTo(1));
        assertThat(holder.deliveries()).singleElement().satisfies(d -> {
            assertThat(d.target()).isEqualTo(Delivery.Target.CHANNEL);
            assertThat(d.address()).isEqualTo("agent-42");
            assertThat(d.dataJson()).isEqualTo("\"hello\"");
        });
        assertThat(other.deliveries()).isEmpty();
    }

    @Test
    void pushToAChannelWithNoOpenSessionIsEmpty() {
        long before = stats.messagesIn();

        assertThat(broker.pushToChannel("agent-42", "1", false)).isEmpty();
        assertThat(stats.messagesIn()).isEqualTo(before);
    }

    @Test
    void pushToAChannelThatIsOnlyReservedIsEmpty() {
        broker.claimChannel("agent-42", "alice", ChannelPolicy.REJECT);

        assertThat(broker.pushToChannel("agent-42", "1", false)).isEmpty();
    }

    @Test
    void broadcastReachesEveryOpenSession() {
        RecordingSubscriber alice = opened(session("s1", "alice"));
        RecordingSubscriber bob = openedOnChannel("agent-42", session("s2", "bob", "agent-42"));

        PushReceipt receipt = broker.broadcast("\"all\"");

        assertThat(receipt.sessions()).isEqualTo(2);
        assertThat(alice.deliveries()).singleElement()
                .satisfies(d -> assertThat(d.target()).isEqualTo(Delivery.Target.BROADCAST));
        assertThat(bob.payloads()).containsExactly("\"all\"");
    }

    @Test
    void openWithASupersededReservationFailsAndRegistersNothing() {
        ChannelReservation stale = grant(broker.claimChannel("agent-42", "alice", ChannelPolicy.REPLACE));
        grant(broker.claimChannel("agent-42", "alice", ChannelPolicy.REPLACE));

        assertThat(broker.open(session("s1", "alice", "agent-42"), stale)).isFalse();
        assertThat(broker.sessionCount()).isZero();
        assertThat(broker.openChannels()).isEmpty();
    }

    @Test
    void closeUnsubscribesReleasesTheChannelAndForgetsTheSession() {
        RecordingSubscriber alice = openedOnChannel("agent-42", session("s1", "alice", "agent-42"));
        broker.subscribe("news", alice, null, replayed -> { }, o -> { });
        broker.subscribe("sport", alice, null, replayed -> { }, o -> { });

        broker.close(alice, List.of("news", "sport"));

        assertThat(broker.subscriptionCount()).isZero();
        assertThat(broker.sessionCount()).isZero();
        assertThat(broker.openChannels()).isEmpty();
        assertThat(broker.sessionsOf("alice")).isEmpty();
        assertThat(broker.presence("news")).isEmpty();
        assertThat(broker.publish("news", "1").recipients()).isZero();
        assertThat(broker.claimChannel("agent-42", "bob", ChannelPolicy.REJECT)).isInstanceOf(ChannelClaim.Granted.class);
    }

    @Test
    void closeIsIdempotent() {
        RecordingSubscriber alice = openedOnChannel("agent-42", session("s1", "alice", "agent-42"));
        broker.subscribe("news", alice, null, replayed -> { }, o -> { });

        broker.close(alice, List.of("news"));
        broker.close(alice, List.of("news"));

        assertThat(broker.sessionCount()).isZero();
        assertThat(broker.subscriptionCount()).isZero();
    }

    @Test
    void closeOfAReplacedSessionLeavesItsSuccessorsChannelAlone() {
        RecordingSubscriber old = openedOnChannel("agent-42", session("s1", "alice", "agent-42"));
        ChannelReservation next = grant(broker.claimChannel("agent-42", "alice", ChannelPolicy.REPLACE));
        RecordingSubscriber successor = session("s2", "alice", "agent-42");
        assertThat(broker.open(successor, next)).isTrue();

        broker.close(old, List.of());

        assertThat(broker.openChannels()).extracting(ChannelHolder::sessionId).containsExactly("s2");
        assertThat(old.disconnects()).containsExactly(CloseCode.REPLACED);
    }

    @Test
    void presenceListsDistinctUsersOfATopic() {
        subscribed("news", session("s1", "alice"));
        subscribed("news", session("s2", "alice"));
        subscribed("news", session("s3", "bob"));
        subscribed("sport", session("s4", "carol"));

        assertThat(broker.presence("news")).containsExactlyInAnyOrder("alice", "bob");
        assertThat(broker.presence("empty")).isEmpty();
    }

    @Test
    void disconnectChannelClosesOnlyTheHolder() {
        RecordingSubscriber holder = openedOnChannel("agent-42", session("s1", "alice", "agent-42"));
        RecordingSubscriber other = opened(session("s2", "alice"));

        assertThat(broker.disconnectChannel("agent-42", CloseCode.OPERATOR)).isTrue();
        assertThat(broker.disconnectChannel("agent-43", CloseCode.OPERATOR)).isFalse();

        assertThat(holder.disconnects()).containsExactly(CloseCode.OPERATOR);
        assertThat(other.disconnects()).isEmpty();
    }

    @Test
    void disconnectAllClosesEveryOpenSession() {
        RecordingSubscriber alice = opened(session("s1", "alice"));
        RecordingSubscriber bob = openedOnChannel("agent-42", session("s2", "bob", "agent-42"));

        broker.disconnectAll(CloseCode.SHUTDOWN);

        assertThat(alice.disconnects()).containsExactly(CloseCode.SHUTDOWN);
        assertThat(bob.disconnects()).containsExactly(CloseCode.SHUTDOWN);
    }

    @Test
    void statsCountMessagesAcceptedAndDeliveriesHandedOut() {
        subscribed("news", opened(session("s1", "alice")));
        subscribed("news", opened(session("s2", "bob")));
        opened(session("s3", "carol"));

        broker.publish("news", "1");        // in 1, out 2
        broker.publish("nobody", "1");      // in 1, out 0
        broker.pushToUser("alice", null, "1", false); // in 1, out 1
        broker.broadcast("1");              // in 1, out 3

        assertThat(stats.messagesIn()).isEqualTo(4);
        assertThat(stats.messagesOut()).isEqualTo(6);
        assertThat(broker.stats()).isSameAs(stats);
        assertThat(broker.sessionCount()).isEqualTo(3);
        assertThat(broker.subscriptionCount()).isEqualTo(2);
        assertThat(broker.nodeId()).isEqualTo("node-1");
    }

    @Test
    void concurrentPublishersProduceStrictlyIncreasingGaplessOffsetsForEachSubscriber() throws Exception {
        int publishers = 8;
        int perPublisher = 2_000;
        RecordingSubscriber early = subscribed("news", session("s1", "alice"));
        ExecutorService pool = Executors.newFixedThreadPool(publishers + 1);
        try {
            CyclicBarrier start = new CyclicBarrier(publishers + 1);
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                futures.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    for (int i = 0; i < perPublisher; i++) {
                        broker.publish("news", "1");
                    }
                    return null;
                }));
            }
            // A subscriber that joins mid-stream must also see a gapless run from where it joined.
            AtomicReference<SubscribeOutcome> lateOutcome = new AtomicReference<>();
            RecordingSubscriber late = session("s2", "bob");
            futures.add(pool.submit(() -> {
                start.await(5, TimeUnit.SECONDS);
                broker.subscribe("news", late, null, d -> { }, lateOutcome::set);
                return null;
            }));
            for (Future<?> future : futures) {
                future.get(20, TimeUnit.SECONDS);
            }

            long total = (long) publishers * perPublisher;
            assertThat(early.deliveries()).extracting(Delivery::offset)
                    .containsExactlyElementsOf(range(1, total));
            assertThat(late.deliveries()).extracting(Delivery::offset)
                    .containsExactlyElementsOf(range(lateOutcome.get().offset() + 1, total));
        } finally {
            pool.shutdownNow();
        }
    }

    // --- helpers ---

    private static List<Long> range(long fromInclusive, long toInclusive) {
        List<Long> values = new ArrayList<>();
        for (long v = fromInclusive; v <= toInclusive; v++) {
            values.add(v);
        }
        return values;
    }

    private static RecordingSubscriber session(String id, String user) {
        return new RecordingSubscriber(id, user, null);
    }

    private static RecordingSubscriber session(String id, String user, String channelId) {
        return new RecordingSubscriber(id, user, channelId);
    }

    @Test
    void anAckRequiredUserMessageWaitsForTheUsersNextSessionWhileOffline() {
        PushReceipt receipt = broker.pushToUser("alice", "calls", "\"ring\"", true);
        assertThat(receipt.sessions()).isZero();

        RecordingSubscriber phone = opened(session("s1", "alice"));

        assertThat(phone.deliveries()).extracting(Delivery::id).containsExactly(receipt.id());
        assertThat(broker.pendingFor("alice")).extracting(entry -> entry.delivery().id()).containsExactly(receipt.id());
    }

    @Test
    void anUnackedMessageIsRedeliveredWithBackoffToEverySessionUntilOneAcks() {
        RecordingSubscriber desk = opened(session("s1", "alice"));
        RecordingSubscriber phone = opened(session("s2", "alice"));
        String id = broker.pushToUser("alice", null, "1", true).id();

        clock.advance(Duration.ofMillis(999));
        broker.redeliverDue();
        assertThat(desk.deliveries()).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        broker.redeliverDue();
        assertThat(desk.deliveries()).hasSize(2);
        assertThat(phone.deliveries()).hasSize(2);

        assertThat(broker.acknowledge(phone, id)).isTrue();
        clock.advance(Duration.ofMinutes(1));
        broker.redeliverDue();

        assertThat(desk.deliveries()).as("one ack clears it for every session").hasSize(2);
        assertThat(broker.pendingFor("alice")).isEmpty();
        assertThat(stats.redelivered()).isEqualTo(1);
        assertThat(broker.acknowledge(phone, id)).as("a second ack is harmless").isFalse();
    }

    @Test
    void aMessageNobodyAcksIsDeadLetteredAfterTheLastAttempt() {
        RecordingSubscriber desk = opened(session("s1", "alice"));
        String id = broker.pushToUser("alice", null, "1", true).id();
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(2));
            broker.redeliverDue();
        }

        assertThat(desk.deliveries()).as("3 deliveries in all").hasSize(3);
        assertThat(broker.pendingFor("alice")).isEmpty();
        assertThat(broker.deadLettersOf("alice")).singleElement().satisfies(dead -> {
            assertThat(dead.delivery().id()).isEqualTo(id);
            assertThat(dead.deadReason()).contains("not acknowledged after 3");
        });
        assertThat(stats.deadLettered()).isEqualTo(1);
    }

    @Test
    void whileNoSessionIsOpenRedeliveryWaitsWithoutUsingUpAttempts() {
        RecordingSubscriber desk = opened(session("s1", "alice"));
        broker.pushToUser("alice", null, "1", true);
        broker.close(desk, List.of());
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(2));
            broker.redeliverDue();
        }

        RecordingSubscriber back = opened(session("s2", "alice"));

        assertThat(back.deliveries()).hasSize(1);
        assertThat(broker.deadLettersOf("alice")).isEmpty();
    }

    @Test
    void aFullInboxDeadLettersItsOldestMessage() {
        String first = broker.pushToUser("alice", null, "1", true).id();
        broker.pushToUser("alice", null, "2", true);
        broker.pushToUser("alice", null, "3", true);

        assertThat(broker.pendingFor("alice")).extracting(entry -> entry.delivery().dataJson()).containsExactly("2", "3");
        assertThat(broker.deadLettersOf("alice")).extracting(entry -> entry.delivery().id()).containsExactly(first);
    }

    @Test
    void messagesWithoutAckAreNotKept() {
        broker.pushToUser("alice", null, "1", false);

        assertThat(broker.pendingFor("alice")).isEmpty();
        assertThat(opened(session("s1", "alice")).deliveries()).isEmpty();
    }

    private RecordingSubscriber subscribed(String topic, RecordingSubscriber session) {
        broker.subscribe(topic, session, null, d -> { }, o -> { });
        return session;
    }

    /** Opens a session as the protocols do: register, greet, then take what waits for it. */
    private RecordingSubscriber opened(RecordingSubscriber session) {
        assertThat(broker.open(session, null)).isTrue();
        broker.deliverWaiting(session);
        return session;
    }

    private RecordingSubscriber openedOnChannel(String channelId, RecordingSubscriber session) {
        ChannelReservation reservation = grant(broker.claimChannel(channelId, session.user(), ChannelPolicy.REJECT));
        assertThat(broker.open(session, reservation)).isTrue();
        return session;
    }

    private static ChannelReservation grant(ChannelClaim claim) {
        assertThat(claim).isInstanceOf(ChannelClaim.Granted.class);
        return ((ChannelClaim.Granted) claim).reservation();
    }
}
