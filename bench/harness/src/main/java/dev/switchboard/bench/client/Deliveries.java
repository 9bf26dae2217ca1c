package dev.switchboard.bench.client;

import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The ledger of what subscribers received: deliveries, per-connection sequence checks (gaps,
 * reorders), latency from the intended send time, broadcast spread, and the counters the harness
 * waits on (subscribers primed, subscribers that reached a sequence number). Only deliveries to
 * the audience (the N subscribers) count; churners' are checked for order but not counted.
 * Owned by the selector thread; no allocation per message.
 */
final class Deliveries {

    private final Consumer<String> problems;
    private long total;
    private long gaps;
    private long reorders;
    private int primed;

    private boolean windowOpen;
    private long windowStartNanos;
    private long windowDeliveries;
    private final Histogram latency = new Histogram(3);
    /** {@link #latency} by the server the subscriber is connected to (ConnectionSpec.node). */
    private final Histogram[] latencyByNode;
    private final long[] windowDeliveriesByNode;
    private final BroadcastSpread spread = new BroadcastSpread();
    private final Histogram userLatency = new Histogram(3);
    private long userDeliveries;

    private long reachTarget = Long.MAX_VALUE;
    private int reachGeneration;
    private int reached;
    private final int[] reachedByNode;

    Deliveries(Consumer<String> problems) {
        this(problems, 1);
    }

    /** @param nodes how many servers the connections are spread over (figures are kept per server too) */
    Deliveries(Consumer<String> problems, int nodes) {
        this.problems = problems;
        this.latencyByNode = new Histogram[nodes];
        for (int i = 0; i < nodes; i++) {
            latencyByNode[i] = new Histogram(3);
        }
        this.windowDeliveriesByNode = new long[nodes];
        this.reachedByNode = new int[nodes];
    }

    /**
     * A topic message {@code seq}, published at {@code intendedMicros} (-1: unknown), arrived at
     * {@code nowMicros}; {@code audience} subscribers should get each publication.
     */
    void topicMessage(TrackedConnection connection, long seq, long intendedMicros, long nowMicros, int audience) {
        boolean counted = connection.spec.role().inAudience();
        if (counted) {
            total++;
            if (windowOpen) {
                windowDeliveries++;
                windowDeliveriesByNode[connection.spec.node()]++;
                if (intendedMicros >= 0) {
                    long micros = Math.max(0, nowMicros - intendedMicros);
                    latency.recordValue(micros);
                    latencyByNode[connection.spec.node()].recordValue(micros);
                    spread.delivered(seq, micros, audience);
                }
            }
        }
        long last = connection.lastSeq;
        if (last < 0) {
            if (counted) {
                primed++; // the first message fixes where this connection's sequence starts
            }
        } else if (seq > last + 1) {
            if (gaps == 0) {
                problems.accept("connection " + connection.id + ": gap after " + last + ", got " + seq);
            }
            gaps += seq - last - 1;
        } else if (seq <= last) {
            reorders++;
        }
        if (seq > last) {
            connection.lastSeq = seq;
        }
        if (counted && seq >= reachTarget && connection.reachedGeneration != reachGeneration) {
            connection.reachedGeneration = reachGeneration;
            reached++;
            reachedByNode[connection.spec.node()]++;
        }
    }

    /**
     * A subscriber left (closed or lost): it no longer counts towards the per-server reach of the
     * current target (the overall {@link #reached} keeps its long-standing meaning).
     */
    void left(TrackedConnection connection) {
        if (connection.reachedGeneration == reachGeneration && reachTarget != Long.MAX_VALUE) {
            reachedByNode[connection.spec.node()]--;
        }
    }

    /** A push to this connection's user (HttpUserPusher): its own sequence from 0, its own histogram. */
    void userMessage(TrackedConnection connection, long userSeq, long intendedMicros, long nowMicros) {
        userDeliveries++;
        if (windowOpen && intendedMicros >= 0) {
            userLatency.recordValue(Math.max(0, nowMicros - intendedMicros));
        }
        long expected = connection.lastUserSeq + 1;
        if (userSeq > expected) {
            gaps += userSeq - expected;
            problems.accept("connection " + connection.id + ": user push gap after " + connection.lastUserSeq + ", got " + userSeq);
        } else if (userSeq < expected) {
            reorders++;
        }
        connection.lastUserSeq = Math.max(connection.lastUserSeq, userSeq);
    }

    /** From now on, count connections (not stalled) whose sequence reaches {@code target}. */
    void reachFrom(long target, Iterable<? extends TrackedConnection> connections) {
        reachGeneration++;
        reached = 0;
        java.util.Arrays.fill(reachedByNode, 0);
        reachTarget = target;
        for (TrackedConnection connection : connections) {
            if (connection.spec.role().inAudience() && !connection.stalled && connection.lastSeq >= target) {
                connection.reachedGeneration = reachGeneration;
                reached++;
                reachedByNode[connection.spec.node()]++;
            }
        }
    }

    void startWindow() {
        windowOpen = true;
        windowStartNanos = System.nanoTime();
        windowDeliveries = 0;
        java.util.Arrays.fill(windowDeliveriesByNode, 0);
        latency.reset();
        for (Histogram h : latencyByNode) {
            h.reset();
        }
        userLatency.reset();
        spread.reset();
    }

    /** Closes the window; its figures stay readable until the next {@link #startWindow}. */
    double endWindow() {
        windowOpen = false;
        return (System.nanoTime() - windowStartNanos) / 1e9;
    }

    long total() {
        return total;
    }

    long windowDeliveries() {
        return windowDeliveries;
    }

    Histogram latency() {
        return latency.copy();
    }

    java.util.List<Histogram> latencyByNode() {
        return java.util.Arrays.stream(latencyByNode).map(Histogram::copy).toList();
    }

    long[] windowDeliveriesByNode() {
        return windowDeliveriesByNode.clone();
    }

    /** Connections on server {@code node} that reached the target of the last {@link #reachFrom}. */
    int reachedOn(int node) {
        return reachedByNode[node];
    }

    Histogram complete() {
        return spread.complete();
    }

    Histogram spread() {
        return spread.spread();
    }

    Histogram userLatency() {
        return userLatency.copy();
    }

    long userDeliveries() {
        return userDeliveries;
    }

    long gaps() {
        return gaps;
    }

    long reorders() {
        return reorders;
    }

    int primed() {
        return primed;
    }

    int reached() {
        return reached;
    }
}
