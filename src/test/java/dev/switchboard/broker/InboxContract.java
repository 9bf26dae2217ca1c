package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Inbox} promises, run against each implementation: the in-memory one
 * ({@link InMemoryInboxTest}) and the one on Redis (RedisInboxTest). Time is the test's
 * {@link MutableClock}, passed as {@code now}; nothing sleeps.
 */
public abstract class InboxContract {

    /** 5 attempts, backoff 1 s doubling to at most 4 s, 3 pending per recipient, TTL 1 day, 2 dead letters kept. */
    protected static final RedeliveryPolicy POLICY = new RedeliveryPolicy(5, Duration.ofSeconds(1),
            Duration.ofSeconds(4), 3, Duration.ofDays(1), 2);

    private static final int THREADS = 8;
    /** Races are run several times over: one interleaving proves little. */
    private static final int ROUNDS = 20;
    private static final Duration CLAIM = Duration.ofSeconds(5);

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private int ids;
    private Inbox inbox;
    private Inbox otherNode;

    /** A fresh, empty inbox keeping to {@code policy}, as one node sees it. */
    protected abstract Inbox newInbox(RedeliveryPolicy policy);

    /**
     * The inbox last made by {@link #newInbox} as another node sees it: another client of the same
     * store, or the same object where nothing is shared between nodes.
     */
    protected abstract Inbox sameInboxOnAnotherNode();

    @BeforeEach
    void makeInbox() {
        inbox = newInbox(POLICY);
        otherNode = sameInboxOnAnotherNode();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void addedMessagesArePendingOldestFirstUnsentSinceTheirAcceptance() {
        Delivery first = message("alice");
        Instant firstAt = clock.instant();
        inbox.add("user:alice", first, firstAt);
        clock.advance(Duration.ofMillis(250));
        Delivery second = message("alice");
        inbox.add("user:alice", second, clock.instant());
        Delivery third = message("alice");
        inbox.add("user:alice", third, clock.instant()); // the same millisecond: order still holds

        assertThat(otherNode.pending("user:alice", clock.instant())).usingRecursiveFieldByFieldElementComparator()
                .containsExactly(unsent(first, firstAt), unsent(second, clock.instant()),
                        unsent(third, clock.instant()));
        assertThat(inbox.pending("user:bob", clock.instant())).isEmpty();
    }

    @Test
    void anAcknowledgementRemovesTheMessageForEveryNodeAndIsTrueOnlyOnce() {
        Delivery kept = message("alice");
        Delivery acked = message("alice");
        inbox.add("user:alice", kept, clock.instant());
        inbox.add("user:alice", acked, clock.instant());

        assertThat(otherNode.acknowledge("user:alice", acked.id())).isTrue();

        assertThat(inbox.acknowledge("user:alice", acked.id())).isFalse();
        assertThat(otherNode.acknowledge("user:alice", acked.id())).isFalse();
        assertThat(inbox.acknowledge("user:alice", "never-sent")).isFalse();
        assertThat(inbox.acknowledge("user:bob", kept.id())).as("another recipient's").isFalse();
        assertThat(ids(inbox.pending("user:alice", clock.instant()))).containsExactly(kept.id());
    }

    @Test
    void markSentCountsTheAttemptAndClaimDueWaitsForTheDoublingBackoff() {
        Delivery delivery = message("alice");
        inbox.add("user:alice", delivery, clock.instant());
        Instant since = clock.instant();

        inbox.markSent("user:alice", delivery.id(), clock.instant());

        assertThat(inbox.pending("user:alice", clock.instant())).singleElement().satisfies(entry -> {
            assertThat(entry.attempts()).isEqualTo(1);
            assertThat(entry.nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(1));
            assertThat(entry.since()).isEqualTo(since);
        });
        clock.advance(Duration.ofMillis(999));
        assertThat(otherNode.claimDue(clock.instant(), CLAIM)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        List<Inbox.Due> due = otherNode.claimDue(clock.instant(), CLAIM);
        assertThat(due).singleElement().satisfies(claimed -> {
            assertThat(claimed.recipient()).isEqualTo("user:alice");
            assertThat(claimed.entry().delivery().id()).isEqualTo(delivery.id());
            assertThat(claimed.entry().attempts()).as("attempts so far").isEqualTo(1);
        });

        // Sent again: the second wait is twice the first, and the waits stop growing at the maximum.
        List<Duration> waits = new ArrayList<>();
        for (int attempt = 2; attempt <= 4; attempt++) {
            otherNode.markSent("user:alice", delivery.id(), clock.instant());
            InboxEntry entry = inbox.pending("user:alice", clock.instant()).get(0);
            assertThat(entry.attempts()).isEqualTo(attempt);
            waits.add(Duration.between(clock.instant(), entry.nextAttemptAt()));
            clock.advance(waits.get(waits.size() - 1).minusMillis(1));
            assertThat(inbox.claimDue(clock.instant(), CLAIM)).as("before the backoff after attempt %d", attempt)
                    .isEmpty();
            clock.advance(Duration.ofMillis(1));
            assertThat(inbox.claimDue(clock.instant(), CLAIM)).hasSize(1);
        }
        assertThat(waits).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(4));
    }

    @Test
    void aMessageNeverSentIsNeverClaimed() {
        inbox.add("user:alice", message("alice"), clock.instant());

        clock.advance(Duration.ofHours(1));

        assertThat(inbox.claimDue(clock.instant(), CLAIM)).isEmpty();
        assertThat(inbox.pending("user:alice", clock.instant())).hasSize(1);
    }

    @Test
    void aClaimHidesTheMessageFromOtherClaimsForTheClaimTime() {
        Delivery delivery = message("alice");
        inbox.add("user:alice", delivery, clock.instant());
        inbox.markSent("user:alice", delivery.id(), clock.instant());
        clock.advance(Duration.ofSeconds(1));

        assertThat(inbox.claimDue(clock.instant(), CLAIM)).hasSize(1);
        assertThat(inbox.pending("user:alice", clock.instant()).get(0).nextAttemptAt())
                .isEqualTo(clock.instant().plus(CLAIM));
        assertThat(otherNode.claimDue(clock.instant(), CLAIM)).isEmpty();
        assertThat(inbox.claimDue(clock.instant(), CLAIM)).as("not even for the claimer").isEmpty();

        clock.advance(CLAIM.minusMillis(1));
        assertThat(otherNode.claimDue(clock.instant(), CLAIM)).isEmpty();

        clock.advance(Duration.ofMillis(1));
        assertThat(otherNode.claimDue(clock.instant(), CLAIM)).as("the claim lapsed, never marked sent")
                .singleElement().satisfies(due -> assertThat(due.entry().attempts()).isEqualTo(1));
    }

    @Test
    void concurrentClaimsOnTwoNodesHandEachDueMessageOutExactlyOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            List<String> sent = new ArrayList<>();
            for (int r = 0; r < 10; r++) {
                String recipient = "user:r" + round + "-" + r;
                for (int m = 0; m < POLICY.inboxSize(); m++) {
                    Delivery delivery = message(recipient);
                    inbox.add(recipient, delivery, clock.instant());
                    (m % 2 == 0 ? inbox : otherNode).markSent(recipient, delivery.id(), clock.instant());
                    sent.add(recipient + "/" + delivery.id());
                }
            }
            clock.advance(Duration.ofSeconds(1));

            List<Inbox.Due> claimed = raceClaims(clock.instant());

            assertThat(claimed).as("round %d", round).extracting(due -> due.recipient() + "/" + due.entry().delivery().id())
                    .containsExactlyInAnyOrderElementsOf(sent);
            for (Inbox.Due due : claimed) {
                assertThat(inbox.acknowledge(due.recipient(), due.entry().delivery().id())).isTrue();
            }
        }
    }

    @Test
    void theSizeBoundPushesTheOldestOutAsADeadLetter() {
        List<Delivery> added = new ArrayList<>();
        for (int i = 0; i < POLICY.inboxSize(); i++) {
            added.add(message("alice"));
            assertThat(inbox.add("user:alice", added.get(i), clock.instant())).isEmpty();
        }
        inbox.markSent("user:alice", added.get(0).id(), clock.instant());
        Delivery newest = message("alice");

        List<InboxEntry> pushedOut = otherNode.add("user:alice", newest, clock.instant());

        InboxEntry dead = new InboxEntry(added.get(0), 1, null, clock.instant(), "inbox full");
        assertThat(pushedOut).usingRecursiveFieldByFieldElementComparator().containsExactly(dead);
        assertThat(inbox.deadLetters("user:alice")).usingRecursiveFieldByFieldElementComparator().containsExactly(dead);
        assertThat(ids(inbox.pending("user:alice", clock.instant())))
                .containsExactly(added.get(1).id(), added.get(2).id(), newest.id());
        clock.advance(Duration.ofHours(1));
        assertThat(inbox.claimDue(clock.instant(), CLAIM)).as("a dead letter is not redelivered").isEmpty();
    }

    @Test
    void messagesOlderThanTheTtlBecomeDeadLetters() {
        Delivery unsent = message("alice");
        inbox.add("user:alice", unsent, clock.instant());
        Delivery sent = message("bob");
        inbox.add("user:bob", sent, clock.instant());
        inbox.markSent("user:bob", sent.id(), clock.instant());
        Instant since = clock.instant();

        clock.advance(POLICY.inboxTtl());
        assertThat(inbox.pending("user:alice", clock.instant())).as("at exactly the TTL").hasSize(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(otherNode.pending("user:alice", clock.instant())).isEmpty();
        assertThat(otherNode.claimDue(clock.instant(), CLAIM)).as("an expired message is not redelivered").isEmpty();

        assertThat(inbox.deadLetters("user:alice")).usingRecursiveFieldByFieldElementComparator()
                .containsExactly(new InboxEntry(unsent, 0, null, since, "expired"));
        assertThat(inbox.deadLetters("user:bob")).usingRecursiveFieldByFieldElementComparator()
                .containsExactly(new InboxEntry(sent, 1, null, since, "expired"));
        assertThat(inbox.pending("user:bob", clock.instant())).isEmpty();
    }

    @Test
    void killMakesADeadLetterWithItsReason() {
        Delivery delivery = message("alice");
        Instant since = clock.instant();
        inbox.add("user:alice", delivery, since);
        inbox.markSent("user:alice", delivery.id(), clock.instant());
        clock.advance(Duration.ofSeconds(1));

        otherNode.kill("user:alice", delivery.id(), "not acknowledged after 1 attempts", clock.instant());

        assertThat(inbox.deadLetters("user:alice")).usingRecursiveFieldByFieldElementComparator()
                .containsExactly(new InboxEntry(delivery, 1, null, since, "not acknowledged after 1 attempts"));
        assertThat(inbox.pending("user:alice", clock.instant())).isEmpty();
        assertThat(inbox.claimDue(clock.instant(), CLAIM)).isEmpty();
        assertThat(inbox.acknowledge("user:alice", delivery.id())).as("a dead letter cannot be acked").isFalse();
    }

    @Test
    void killOrMarkSentOfAMessageNotPendingChangesNothing() {
        Delivery delivery = message("alice");
        inbox.add("user:alice", delivery, clock.instant());
        inbox.acknowledge("user:alice", delivery.id());

        inbox.markSent("user:alice", delivery.id(), clock.instant());
        inbox.kill("user:alice", delivery.id(), "given up", clock.instant());
        inbox.kill("user:carol", "unknown", "given up", clock.instant());

        assertThat(inbox.pending("user:alice", clock.instant())).isEmpty();
        assertThat(inbox.deadLetters("user:alice")).isEmpty();
        assertThat(inbox.deadLetters("user:carol")).isEmpty();
        clock.advance(Duration.ofHours(1));
        assertThat(inbox.claimDue(clock.instant(), CLAIM)).isEmpty();
    }

    @Test
    void onlyTheMostRecentDeadLettersAreKeptOldestFirst() {
        List<String> killed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Delivery delivery = message("alice");
            inbox.add("user:alice", delivery, clock.instant());
            inbox.kill("user:alice", delivery.id(), "reason " + i, clock.instant());
            killed.add(delivery.id());
        }

        assertThat(otherNode.deadLetters("user:alice")).extracting(e -> e.delivery().id(), InboxEntry::deadReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(killed.get(3), "reason 3"),
                        org.assertj.core.groups.Tuple.tuple(killed.get(4), "reason 4"));
    }

    @Test
    void anAcknowledgedMessageIsNeverClaimedAfterwardsOnAnotherNode() {
        Delivery ackedWhileWaiting = message("alice");
        Delivery ackedWhileClaimed = message("alice");
        for (Delivery delivery : List.of(ackedWhileWaiting, ackedWhileClaimed)) {
            inbox.add("user:alice", delivery, clock.instant());
            inbox.markSent("user:alice", delivery.id(), clock.instant());
        }
        clock.advance(Duration.ofSeconds(1));
        assertThat(inbox.acknowledge("user:alice", ackedWhileWaiting.id())).isTrue();
        assertThat(ids(inbox.claimDue(clock.instant(), CLAIM).stream().map(Inbox.Due::entry).toList()))
                .containsExactly(ackedWhileClaimed.id());

        assertThat(otherNode.acknowledge("user:alice", ackedWhileClaimed.id())).isTrue();

        for (int i = 0; i < 3; i++) {
            clock.advance(CLAIM.plus(POLICY.maxBackoff()));
            assertThat(otherNode.claimDue(clock.instant(), CLAIM)).isEmpty();
            assertThat(inbox.claimDue(clock.instant(), CLAIM)).isEmpty();
        }
        assertThat(inbox.deadLetters("user:alice")).isEmpty();
    }

    @Test
    void aBinaryDeliverySurvivesTheRoundTrip() {
        byte[] body = new byte[256];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i; // every byte value, NUL and invalid UTF-8 included
        }
        String base64 = "\"" + java.util.Base64.getEncoder().encodeToString(body) + "\"";
        Delivery binary = Delivery.of("bin-1", Delivery.Target.USER, "alice", "images", 0, null, base64,
                Instant.parse("2025-01-01T00:00:00.123456789Z"), true, body, "application/octet-stream");
        inbox.add("user:alice", binary, clock.instant());
        inbox.markSent("user:alice", binary.id(), clock.instant());
        clock.advance(Duration.ofSeconds(1));

        Delivery claimed = otherNode.claimDue(clock.instant(), CLAIM).get(0).entry().delivery();
        Delivery pending = otherNode.pending("user:alice", clock.instant()).get(0).delivery();
        otherNode.kill("user:alice", binary.id(), "given up", clock.instant());
        Delivery dead = inbox.deadLetters("user:alice").get(0).delivery();

        for (Delivery back : List.of(claimed, pending, dead)) {
            assertThat(back).usingRecursiveComparison().isEqualTo(binary);
            assertThat(back.isBinary()).isTrue();
            assertThat(back.binaryBody()).containsExactly(body);
        }
    }

    // --- helpers ---

    /** A new acknowledged-delivery message to {@code user}, with a payload that needs JSON escaping. */
    private Delivery message(String user) {
        return Delivery.toUser("m" + ids++, user, null, "{\"text\":\"line 1\\nline 2: \\u00e9\"}", clock.instant(),
                true);
    }

    private static InboxEntry unsent(Delivery delivery, Instant at) {
        return new InboxEntry(delivery, 0, at, at, null);
    }

    private static List<String> ids(List<InboxEntry> entries) {
        return entries.stream().map(e -> e.delivery().id()).toList();
    }

    /** {@value #THREADS} threads, half on each node, claim at the same moment; every claim made, in one list. */
    private List<Inbox.Due> raceClaims(Instant now) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<List<Inbox.Due>>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Inbox node = i % 2 == 0 ? inbox : otherNode;
            Callable<List<Inbox.Due>> task = () -> {
                start.await(10, TimeUnit.SECONDS);
                return node.claimDue(now, CLAIM);
            };
            futures.add(pool.submit(task));
        }
        List<Inbox.Due> claimed = new ArrayList<>();
        for (Future<List<Inbox.Due>> future : futures) {
            claimed.addAll(future.get(10, TimeUnit.SECONDS));
        }
        return claimed;
    }
}
