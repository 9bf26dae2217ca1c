package dev.switchboard.broker;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One topic's epoch, position counter and recent history in an {@link InMemoryTopicLog}, which
 * synchronises on the stream for every use.
 *
 * <p>A stream lives until the log {@linkplain #retire() retires} it (idle: no subscriber, no
 * history, unused for a while) and removes it from its map, both under this lock. Whoever locks a
 * stream to use it checks {@link #retired()} first and, if so, fetches the topic's stream again: an
 * append never lands in a stream that is no longer in the map. A stream made for a
 * topic again has a new {@link #epoch()}, so positions in the old one are never mistaken for
 * positions in the new one (its offsets start over from 1).
 *
 * <p>Every change of the history is reported to the {@link MemoryBudget}. The history keeps
 * copies of the deliveries without their cached encodings ({@link Delivery#withoutEncodings()}),
 * and hands out fresh copies on replay, so no encoded frame stays as long as the history.
 *
 * <p>Guarded by {@code this}, except {@link #touch}, which may be called without the lock.
 */
final class TopicStream {
    private final String epoch;
    private final MemoryBudget budget;
    private long lastOffset;
    /** The most recent deliveries, oldest first, consecutive offsets ending at {@link #lastOffset}. */
    private final ArrayDeque<Delivery> history = new ArrayDeque<>();
    private long historyBytes;
    private boolean retired;
    /** When the topic was last published to, subscribed to or unsubscribed from, in epoch millis. */
    private volatile long lastUsedMillis;

    TopicStream(String epoch, MemoryBudget budget, Instant created) {
        this.epoch = epoch;
        this.budget = budget;
        this.lastUsedMillis = created.toEpochMilli();
    }

    String epoch() {
        return epoch;
    }

    long lastOffset() {
        return lastOffset;
    }

    long nextOffset() {
        return ++lastOffset;
    }

    boolean retired() {
        return retired;
    }

    /** Records a use of the topic (it postpones forgetting an idle topic). Needs no lock. */
    void touch(Instant now) {
        lastUsedMillis = now.toEpochMilli();
    }

    /**
     * Keeps a published delivery for replay, dropping what the policy no longer allows. The
     * delivery must be one that no session sees (sessions cache their encodings in it).
     */
    void remember(Delivery delivery, HistoryPolicy policy, Instant now) {
        touch(now);
        long bytesBefore = historyBytes;
        int entriesBefore = history.size();
        if (policy.size() > 0) {
            history.addLast(delivery);
            historyBytes += MemoryBudget.sizeOf(delivery);
        }
        while (!history.isEmpty() && (history.size() > policy.size() || historyBytes > policy.maxBytes())) {
            historyBytes -= MemoryBudget.sizeOf(history.removeFirst());
        }
        dropExpiredUncounted(policy, now);
        // One update of the shared counters per publish, whatever was added and dropped.
        budget.historyChanged(historyBytes - bytesBefore, history.size() - entriesBefore);
    }

    /**
     * The deliveries after {@code offset} up to and including {@code through}, oldest first (empty
     * if none), or null if {@code offset} lies beyond the last offset or the history no longer holds
     * all of them.
     */
    List<Delivery> read(long offset, long through, HistoryPolicy policy, Instant now) {
        if (offset > lastOffset || offset < 0) {
            return null;
        }
        long last = Math.min(through, lastOffset);
        if (offset >= last) {
            return List.of();
        }
        expire(policy, now);
        if (history.isEmpty() || history.peekFirst().offset() > offset + 1) {
            return null;
        }
        List<Delivery> missed = new ArrayList<>((int) (last - offset));
        for (Delivery delivery : history) {
            if (delivery.offset() > last) {
                break;
            }
            if (delivery.offset() > offset) {
                // A fresh copy: the session caches its encoding there, not in the history.
                missed.add(delivery.withoutEncodings());
            }
        }
        return missed;
    }

    /** Drops history older than the policy's TTL. */
    void expire(HistoryPolicy policy, Instant now) {
        long bytesBefore = historyBytes;
        int entriesBefore = history.size();
        dropExpiredUncounted(policy, now);
        budget.historyChanged(historyBytes - bytesBefore, history.size() - entriesBefore);
    }

    private void dropExpiredUncounted(HistoryPolicy policy, Instant now) {
        Instant oldestKept = now.minus(policy.ttl());
        while (!history.isEmpty() && history.peekFirst().timestamp().isBefore(oldestKept)) {
            historyBytes -= MemoryBudget.sizeOf(history.removeFirst());
        }
    }

    /** When the oldest message in the history was published; null if the history is empty. */
    Instant oldestTimestamp() {
        Delivery oldest = history.peekFirst();
        return oldest == null ? null : oldest.timestamp();
    }

    /**
     * Drops the oldest history for the memory budget: at least one message (if any), then more
     * while they are no newer than {@code notAfter} (null: no such bound) and the budget is still
     * above its low-water mark. Returns how many were dropped.
     */
    int evictOldest(Instant notAfter) {
        int evicted = 0;
        while (!history.isEmpty()) {
            if (evicted > 0 && (!budget.aboveLowWater()
                    || notAfter != null && history.peekFirst().timestamp().isAfter(notAfter))) {
                break;
            }
            long size = MemoryBudget.sizeOf(history.removeFirst());
            historyBytes -= size;
            // Per message, not per batch: the next check of the budget must see it.
            budget.historyChanged(-size, -1);
            evicted++;
        }
        return evicted;
    }

    /**
     * Whether the topic may be forgotten: nobody subscribed (the caller knows), no history left
     * (call {@link #expire} first), and unused for the policy's idle time.
     */
    boolean idle(HistoryPolicy policy, Instant now) {
        return history.isEmpty() && now.toEpochMilli() - lastUsedMillis >= policy.idleTopicTtl().toMillis();
    }

    /** Marks the stream as removed from the broker's map; it must not be used afterwards. */
    void retire() {
        retired = true;
    }
}
