package dev.switchboard.session;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * Messages sent in a client ack mode and not yet acknowledged, per subscription in delivery
 * order (for the cumulative {@code client} mode). Thread safe: deliveries, acks and ack timers
 * come from different threads; every method holds this object's lock.
 */
final class PendingAcks {

    /**
     * One unacknowledged message: the encoded frame to resend ({@code String} for text,
     * {@code byte[]} for binary) and how often it was sent.
     */
    static final class Pending {
        final String ackId;
        final String subscriptionId;
        final Object wire;
        final int attempts;
        /** Set right after creation by the session that tracks it; read when it is settled. */
        volatile ScheduledFuture<?> timeout;

        Pending(String ackId, String subscriptionId, Object wire, int attempts) {
            this.ackId = ackId;
            this.subscriptionId = subscriptionId;
            this.wire = wire;
            this.attempts = attempts;
        }
    }

    private final Map<String, LinkedHashMap<String, Pending>> bySubscription = new LinkedHashMap<>();

    synchronized void add(Pending pending) {
        bySubscription.computeIfAbsent(pending.subscriptionId, id -> new LinkedHashMap<>()).put(pending.ackId, pending);
    }

    /**
     * Removes and returns the message {@code ackId}, or, when {@code cumulative}, it and every
     * message of its subscription delivered before it. Empty if {@code ackId} is not pending.
     */
    synchronized List<Pending> remove(String ackId, boolean cumulative) {
        for (LinkedHashMap<String, Pending> pending : bySubscription.values()) {
            if (!pending.containsKey(ackId)) {
                continue;
            }
            List<Pending> removed = new ArrayList<>();
            if (!cumulative) {
                removed.add(pending.remove(ackId));
                return removed;
            }
            for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
                Pending next = it.next();
                it.remove();
                removed.add(next);
                if (next.ackId.equals(ackId)) {
                    break;
                }
            }
            return removed;
        }
        return List.of();
    }

    synchronized boolean contains(String ackId) {
        for (LinkedHashMap<String, Pending> pending : bySubscription.values()) {
            if (pending.containsKey(ackId)) {
                return true;
            }
        }
        return false;
    }

    /** Removes the message if it is still pending (an ack timer firing); null if it was acked meanwhile. */
    synchronized Pending expire(Pending pending) {
        LinkedHashMap<String, Pending> forSubscription = bySubscription.get(pending.subscriptionId);
        return forSubscription != null && forSubscription.remove(pending.ackId, pending) ? pending : null;
    }

    /** Forgets a subscription's pending messages (UNSUBSCRIBE, session end); returns them. */
    synchronized List<Pending> removeSubscription(String subscriptionId) {
        LinkedHashMap<String, Pending> removed = bySubscription.remove(subscriptionId);
        return removed == null ? List.of() : new ArrayList<>(removed.values());
    }

    synchronized List<Pending> removeAll() {
        List<Pending> all = new ArrayList<>();
        bySubscription.values().forEach(pending -> all.addAll(pending.values()));
        bySubscription.clear();
        return all;
    }
}
