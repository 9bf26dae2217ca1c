package dev.switchboard.broker;

import java.time.Duration;

/**
 * How much of each topic is kept for resume: at most {@code size} messages, none older than
 * {@code ttl} (SWITCHBOARD_HISTORY_SIZE, SWITCHBOARD_HISTORY_TTL_MS). A size of 0 keeps nothing.
 */
public record HistoryPolicy(int size, Duration ttl) {
}
