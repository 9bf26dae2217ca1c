package dev.switchboard.broker;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of this node's traffic, cheap to update from any thread. Read by the stats API and
 * the metrics registry.
 */
public final class BrokerStats {
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder slowConsumersClosed = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder historyEvicted = new LongAdder();
    private final LimitRefusals limitRefusals = new LimitRefusals();

    /** What the abuse limits refused (sessions, subscriptions, inbound rates, API rate). */
    public LimitRefusals limitRefusals() { return limitRefusals; }

    /** A message was accepted (published, pushed or broadcast). */
    public void accepted() { messagesIn.increment(); }

    /** {@code count} deliveries were handed to session queues. */
    public void delivered(int count) { messagesOut.add(count); }

    /** {@code count} queued messages were discarded (their session closed before sending them). */
    public void dropped(int count) { dropped.add(count); }

    public void countRedelivery() { redelivered.increment(); }

    public void slowConsumerClosed() { slowConsumersClosed.increment(); }

    /** {@code count} acknowledged-delivery messages were given up (attempts, TTL, inbox size or memory budget). */
    public void deadLettered(int count) { deadLettered.add(count); }

    /** {@code count} topic history messages were dropped to keep within the memory budget. */
    public void historyEvicted(long count) { historyEvicted.add(count); }

    public long messagesIn() { return messagesIn.sum(); }

    public long messagesOut() { return messagesOut.sum(); }

    public long dropped() { return dropped.sum(); }

    public long redelivered() { return redelivered.sum(); }

    public long slowConsumersClosed() { return slowConsumersClosed.sum(); }

    public long deadLettered() { return deadLettered.sum(); }

    public long historyEvicted() { return historyEvicted.sum(); }

    /**
     * This node's figures as {@code GET /api/v1/stats} shows them, in that order, with the
     * node's current session and subscription counts.
     */
    public java.util.Map<String, Long> figures(long sessions, long subscriptions) {
        java.util.Map<String, Long> figures = new java.util.LinkedHashMap<>();
        figures.put("sessions", sessions);
        figures.put("subscriptions", subscriptions);
        figures.put("messagesIn", messagesIn());
        figures.put("messagesOut", messagesOut());
        figures.put("dropped", dropped());
        figures.put("redelivered", redelivered());
        figures.put("slowConsumersClosed", slowConsumersClosed());
        figures.put("deadLettered", deadLettered());
        return figures;
    }
}
