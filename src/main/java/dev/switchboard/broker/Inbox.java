package dev.switchboard.broker;

import java.time.Instant;
import java.util.List;

/**
 * Messages that must be acknowledged, per recipient (a user, or a channel), until one of the
 * recipient's sessions acknowledges them (docs/protocol.md, Delivery guarantees). Recipient keys are opaque to
 * the inbox. Thread safe.
 */
public interface Inbox {

    /** Keeps a new message for {@code recipient}; returns entries pushed out by the size bound (now dead letters). */
    List<InboxEntry> add(String recipient, Delivery delivery, Instant now);

    /** Records that the message was just sent to the recipient's sessions. */
    void markSent(String recipient, String messageId, Instant now);

    /** Removes the message; false if it was not pending (unknown, already acked or dead). */
    boolean acknowledge(String recipient, String messageId);

    /** The recipient's pending messages, oldest first (expired ones become dead letters). */
    List<InboxEntry> pending(String recipient, Instant now);

    /**
     * Claims every pending message whose next attempt is due: atomically, each is hidden from
     * other claims for {@code claimFor} (its next attempt moves to {@code now + claimFor}), so that
     * of all the nodes sharing an inbox exactly one sends it again. The claimer then either
     * {@linkplain #markSent marks it sent} (its backoff starts) or leaves it, and it is due again
     * once the claim lapses. Called periodically, it also forgets recipients with nothing pending
     * and no dead letter younger than the inbox TTL.
     */
    List<Due> claimDue(Instant now, java.time.Duration claimFor);

    /** Gives up a message (too many attempts): it becomes a dead letter. */
    void kill(String recipient, String messageId, String reason, Instant now);

    /** The recipient's recent dead letters, oldest first. */
    List<InboxEntry> deadLetters(String recipient);

    /**
     * Frees this process's heap because the {@link MemoryBudget} is exceeded and no topic history
     * is left to evict: drops dead letters, then gives up the oldest pending messages across
     * recipients (not kept as dead letters), until the budget is back under its low-water mark.
     * Returns how many pending messages were given up. An inbox kept outside the heap frees nothing.
     */
    default int shed() {
        return 0;
    }

    /** A pending message due for another attempt, as it was when claimed (attempts so far). */
    record Due(String recipient, InboxEntry entry) {
    }
}
