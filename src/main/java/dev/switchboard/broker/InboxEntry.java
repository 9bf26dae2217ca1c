package dev.switchboard.broker;

import java.time.Instant;

/**
 * An acknowledged-delivery message as an inbox holds it: the delivery, how often it was sent, when
 * it may be sent again, and why it was given up (dead letters only).
 */
public record InboxEntry(Delivery delivery, int attempts, Instant nextAttemptAt, Instant since, String deadReason) {

    InboxEntry sent(Instant at, RedeliveryPolicy policy) {
        int attempt = attempts + 1;
        return new InboxEntry(delivery, attempt, at.plus(policy.backoffAfter(attempt)), since, null);
    }

    /** The same entry hidden from other claims until {@code until}. */
    InboxEntry claimedUntil(Instant until) {
        return new InboxEntry(delivery, attempts, until, since, null);
    }

    InboxEntry dead(String reason) {
        return new InboxEntry(delivery, attempts, null, since, reason);
    }
}
