package dev.switchboard.broker;

import java.time.Duration;

/**
 * How acknowledged delivery behaves (docs/protocol.md, Delivery guarantees): an unacknowledged message is sent
 * again after {@code initialBackoff}, doubling up to {@code maxBackoff}, at most
 * {@code maxAttempts} times in all; then it is dead-lettered. Messages wait at most
 * {@code inboxTtl} and at most {@code inboxSize} per recipient (the oldest is dead-lettered to
 * make room); each recipient keeps its last {@code deadLetters} dead letters for inspection.
 */
public record RedeliveryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, int inboxSize,
        Duration inboxTtl, int deadLetters) {

    /**
     * The wait after the {@code attempt}-th delivery (1-based). Public for inboxes kept outside this
     * package (the Redis one), which must back off exactly as the in-memory one does.
     */
    public Duration backoffAfter(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 30);
        return Duration.ofMillis(Math.min(Math.max(millis, 0), maxBackoff.toMillis()));
    }
}
