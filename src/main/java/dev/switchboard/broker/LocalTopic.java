package dev.switchboard.broker;

import java.time.Instant;

/**
 * What this node knows of one topic: the position up to which it has delivered the topic's
 * messages to its own subscribers (its cursor), and when it last used the topic. The broker
 * synchronises on it for every publish, subscribe, unsubscribe and announcement of the topic,
 * which keeps each session's messages in offset order, with no gap and no duplicate at the seam
 * between a resume's replay and the live messages.
 *
 * <p>The cursor is set ({@link #positioned()}) while the topic has subscribers here, and forgotten
 * when the last one leaves: without subscribers there is nothing to keep in order. A topic with no
 * subscriber unused for the idle time is {@linkplain #retire() retired} and removed from the
 * broker's map under this lock; whoever locks it checks {@link #retired()} first.
 *
 * <p>Guarded by {@code this}, except {@link #touch}, which may be called without the lock.
 */
final class LocalTopic {
    private boolean retired;
    private String epoch;
    private long cursor;
    /** When the topic was last published to, subscribed to or unsubscribed from, in epoch millis. */
    private volatile long lastUsedMillis;

    LocalTopic(Instant created) {
        this.lastUsedMillis = created.toEpochMilli();
    }

    boolean positioned() {
        return epoch != null;
    }

    /** The last position delivered to this node's subscribers. */
    StreamPosition cursor() {
        return new StreamPosition(cursor, epoch);
    }

    String epoch() {
        return epoch;
    }

    long offset() {
        return cursor;
    }

    void moveTo(StreamPosition position) {
        this.epoch = position.epoch();
        this.cursor = position.offset();
    }

    void forgetPosition() {
        this.epoch = null;
        this.cursor = 0;
    }

    boolean retired() {
        return retired;
    }

    void retire() {
        retired = true;
    }

    void touch(Instant now) {
        lastUsedMillis = now.toEpochMilli();
    }

    boolean idleSince(Instant notUsedAfter) {
        return lastUsedMillis <= notUsedAfter.toEpochMilli();
    }
}
