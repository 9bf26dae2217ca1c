package dev.switchboard.bench.cluster;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes through the HTTP API of one node at a steady rate, one request at a time (concurrent
 * requests could be accepted out of order), on its own thread, through an outage: every attempt
 * takes the next sequence number whatever the previous answer, so a refused publication (503)
 * shows at the subscribers as a gap of exactly one, and an accepted one that never arrives as a
 * gap too. Keeps each attempt's status and start time for the scenario to look up.
 */
final class ProbePublisher implements AutoCloseable {

    /** One attempt: when it started (System.nanoTime) and the status it got (-1: I/O error or timeout). */
    record Attempt(long startedNanos, int status) {
    }

    private final Http http;
    private final InetSocketAddress node;
    private final double ratePerSecond;
    private final long firstSeq;
    private final Thread thread;
    private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile long startedSeq;
    private volatile long lastAcceptedSeq = -1;

    ProbePublisher(Http http, InetSocketAddress node, double ratePerSecond, long firstSeq) {
        this.http = http;
        this.node = node;
        this.ratePerSecond = ratePerSecond;
        this.firstSeq = firstSeq;
        this.startedSeq = firstSeq - 1;
        this.thread = new Thread(this::run, "probe-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        long start = System.nanoTime();
        for (long i = 0; running; i++) {
            long due = start + (long) (i * 1e9 / ratePerSecond);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing by the clock
            }
            long seq = firstSeq + i;
            long startedNanos = System.nanoTime();
            startedSeq = seq;
            // t is the intended time: a request late behind a slow one shows as latency.
            int status = http.publish(node, ClusterContext.TOPIC, due / 1000, seq);
            attempts.put(seq, new Attempt(startedNanos, status));
            if (status == 202) {
                lastAcceptedSeq = seq;
            }
        }
    }

    /** The sequence number of the latest attempt begun (it may still be in flight). */
    long startedSeq() {
        return startedSeq;
    }

    long lastAcceptedSeq() {
        return lastAcceptedSeq;
    }

    /** The first accepted attempt with a sequence number of at least {@code seq}, or null. */
    Map.Entry<Long, Attempt> firstAcceptedFrom(long seq) {
        for (long s = seq; s <= startedSeq; s++) {
            Attempt attempt = attempts.get(s);
            if (attempt != null && attempt.status() == 202) {
                return Map.entry(s, attempt);
            }
        }
        return null;
    }

    /** The start of the last attempt from {@code seq} on that was not accepted, or -1 if none. */
    long lastRefusedStartFrom(long seq) {
        long last = -1;
        for (long s = seq; s <= startedSeq; s++) {
            Attempt attempt = attempts.get(s);
            if (attempt != null && attempt.status() != 202) {
                last = attempt.startedNanos();
            }
        }
        return last;
    }

    /** Attempts by status. */
    Map<Integer, Long> statuses() {
        Map<Integer, Long> counts = new java.util.TreeMap<>();
        attempts.values().forEach(a -> counts.merge(a.status(), 1L, Long::sum));
        return counts;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
