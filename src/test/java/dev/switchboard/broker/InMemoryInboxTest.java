package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract, plus what only an inbox on this process's heap does: forgetting boxes, the memory budget, shedding. */
class InMemoryInboxTest extends InboxContract {

    /** 3 attempts, 100 pending per recipient, TTL 1 day, 2 dead letters kept. */
    private static final RedeliveryPolicy ACKS = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2),
            100, Duration.ofDays(1), 2);

    private final MutableClock clock = MutableClock.atFixedInstant();
    private int ids;
    private InMemoryInbox contractInbox;

    @Override
    protected Inbox newInbox(RedeliveryPolicy policy) {
        contractInbox = new InMemoryInbox(policy);
        return contractInbox;
    }

    /** Nothing is shared between nodes: every node would have its own; the contract's two views are one. */
    @Override
    protected Inbox sameInboxOnAnotherNode() {
        return contractInbox;
    }

    private Delivery message(String user, int payloadLength) {
        return TestDeliveries.toUser("m" + ids++, user, null, "\"" + "x".repeat(payloadLength - 2) + "\"",
                clock.instant(), true);
    }

    @Test
    void hundredThousandRecipientsWhoseMessagesWereAckedLeaveNoBoxBehind() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        InMemoryInbox inbox = new InMemoryInbox(ACKS, budget);
        List<Delivery> sent = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            Delivery delivery = message("user-" + i, 10);
            inbox.add("user:user-" + i, delivery, clock.instant());
            sent.add(delivery);
        }
        assertThat(inbox.recipientCount()).isEqualTo(100_000);
        assertThat(budget.inboxEntries()).isEqualTo(100_000);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(inbox.acknowledge("user:user-" + i, sent.get(i).id())).isTrue();
        }

        inbox.claimDue(clock.instant(), Duration.ZERO);

        assertThat(inbox.recipientCount()).isZero();
        assertThat(budget.inboxEntries()).isZero();
        assertThat(budget.inboxBytes()).isZero();
    }

    @Test
    void aForgottenRecipientGetsAFreshBoxOnItsNextMessage() {
        InMemoryInbox inbox = new InMemoryInbox(ACKS);
        Delivery first = message("alice", 10);
        inbox.add("user:alice", first, clock.instant());
        inbox.acknowledge("user:alice", first.id());
        inbox.claimDue(clock.instant(), Duration.ZERO);
        assertThat(inbox.recipientCount()).isZero();

        Delivery second = message("alice", 10);
        inbox.add("user:alice", second, clock.instant());

        assertThat(inbox.pending("user:alice", clock.instant())).extracting(e -> e.delivery().id())
                .containsExactly(second.id());
    }

    @Test
    void deadLettersKeepTheirRecipientForOneInboxTtlThenGo() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        InMemoryInbox inbox = new InMemoryInbox(ACKS, budget);
        Delivery delivery = message("alice", 10);
        inbox.add("user:alice", delivery, clock.instant());
        inbox.kill("user:alice", delivery.id(), "not acknowledged", clock.instant());

        clock.advance(Duration.ofDays(1));
        inbox.claimDue(clock.instant(), Duration.ZERO);
        assertThat(inbox.deadLetters("user:alice")).hasSize(1);
        assertThat(budget.inboxEntries()).as("dead letters count").isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        inbox.claimDue(clock.instant(), Duration.ZERO);
        assertThat(inbox.deadLetters("user:alice")).isEmpty();
        assertThat(inbox.recipientCount()).isZero();
        assertThat(budget.inboxBytes()).isZero();
    }

    @Test
    void theBudgetCountsPendingMessagesAndDeadLettersUntilTheyGo() {
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        InMemoryInbox inbox = new InMemoryInbox(ACKS, budget);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Delivery delivery = message("alice", 100);
            ids.add(delivery.id());
            inbox.add("user:alice", delivery, clock.instant());
        }
        long one = MemoryBudget.ENTRY_OVERHEAD + 100;
        assertThat(budget.inboxBytes()).isEqualTo(4 * one);

        inbox.acknowledge("user:alice", ids.get(0));
        for (int i = 1; i < 4; i++) {
            inbox.kill("user:alice", ids.get(i), "given up", clock.instant()); // 2 dead letters are kept
        }

        assertThat(budget.inboxEntries()).isEqualTo(2);
        assertThat(budget.inboxBytes()).isEqualTo(2 * one);
    }

    @Test
    void sheddingDropsDeadLettersFirstThenTheOldestPendingAcrossRecipients() {
        long one = MemoryBudget.ENTRY_OVERHEAD + 100;
        MemoryBudget budget = new MemoryBudget(10 * one); // low water: 9 entries
        InMemoryInbox inbox = new InMemoryInbox(ACKS, budget);
        Delivery dead = message("carol", 100);
        inbox.add("user:carol", dead, clock.instant());
        inbox.kill("user:carol", dead.id(), "given up", clock.instant());
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            String user = i % 2 == 0 ? "alice" : "bob";
            Delivery delivery = message(user, 100);
            order.add(delivery.id());
            inbox.add("user:" + user, delivery, clock.instant());
        }
        assertThat(budget.exceeded()).isTrue();

        int givenUp = inbox.shed();

        assertThat(givenUp).isEqualTo(1);
        assertThat(inbox.deadLetters("user:carol")).isEmpty();
        assertThat(budget.inboxEntries()).isEqualTo(9);
        assertThat(inbox.pending("user:alice", clock.instant())).extracting(e -> e.delivery().id())
                .doesNotContain(order.get(0)).hasSize(4);
    }
}
