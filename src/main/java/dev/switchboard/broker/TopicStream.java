package dev.switchboard.broker;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One topic's position counter and its recent history. Publishing and subscribing to a topic
 * synchronise on its stream, which is what makes offsets strictly increasing in every session's
 * queue, and puts a replay and the {@code subscribed} answer exactly before the first live message
 * after them.
 *
 * <p>Guarded by {@code this}.
 */
final class TopicStream {
    private long lastOffset;
    /** The most recent deliveries, oldest first, consecutive offsets ending at {@link #lastOffset}. */
    private final ArrayDeque<Delivery> history = new ArrayDeque<>();

    long lastOffset() {
        return lastOffset;
    }

    long nextOffset() {
        return ++lastOffset;
    }

    /** Keeps a published delivery for replay, dropping what the policy no longer allows. */
    void remember(Delivery delivery, HistoryPolicy policy, Instant now) {
        if (policy.size() > 0) {
            history.addLast(delivery);
        }
        while (history.size() > policy.size()) {
            history.removeFirst();
        }
        dropExpired(policy, now);
    }

    /**
     * The deliveries after {@code offset}, oldest first (empty if nothing was missed), or null if
     * the history no longer holds all of them.
     */
    List<Delivery> after(long offset, HistoryPolicy policy, Instant now) {
        if (offset > lastOffset || offset < 0) {
            return null;
        }
        if (offset == lastOffset) {
            return List.of();
        }
        dropExpired(policy, now);
        if (history.isEmpty() || history.peekFirst().offset() > offset + 1) {
            return null;
        }
        List<Delivery> missed = new ArrayList<>((int) (lastOffset - offset));
        for (Delivery delivery : history) {
            if (delivery.offset() > offset) {
                missed.add(delivery);
            }
        }
        return missed;
    }

    private void dropExpired(HistoryPolicy policy, Instant now) {
        Instant oldestKept = now.minus(policy.ttl());
        while (!history.isEmpty() && history.peekFirst().timestamp().isBefore(oldestKept)) {
            history.removeFirst();
        }
    }
}
