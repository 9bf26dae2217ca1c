package dev.switchboard.bench.client;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A set of connections opened together. Each connection counts down once, when it is ready
 * (authenticated, and subscribed if a subscriber) or when it failed, so the harness waits for
 * exactly the connections it asked for. Times are written by the selector thread and read after
 * {@link #await}, which the latch makes visible.
 */
public final class ConnectionBatch {

    private final int size;
    private final CountDownLatch settled;
    private int ready;
    private int failed;
    private long firstConnectNanos;
    private long lastReadyNanos;
    private int authenticated;
    private long lastAuthenticatedNanos;

    ConnectionBatch(int size) {
        this.size = size;
        this.settled = new CountDownLatch(size);
    }

    void connecting(long now) {
        if (firstConnectNanos == 0) {
            firstConnectNanos = now;
        }
    }

    /** The server accepted the connection and its token ({@code welcome}, or STOMP CONNECTED). */
    void authenticated(long now) {
        authenticated++;
        lastAuthenticatedNanos = now;
    }

    void ready(long now) {
        ready++;
        lastReadyNanos = now;
        settled.countDown();
    }

    void fail() {
        failed++;
        settled.countDown();
    }

    /** Whether every connection settled (ready or failed) within the timeout. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return settled.await(timeout, unit);
    }

    public int size() {
        return size;
    }

    public int ready() {
        return ready;
    }

    public int failed() {
        return failed;
    }

    /** From the first connect to the last connection becoming ready. */
    public double seconds() {
        return (lastReadyNanos - firstConnectNanos) / 1e9;
    }

    /** Handshakes (upgrade plus token check; STOMP: plus CONNECT) per second, subscriptions not included. */
    public double handshakesPerSecond() {
        double seconds = (lastAuthenticatedNanos - firstConnectNanos) / 1e9;
        return seconds > 0 ? authenticated / seconds : 0;
    }
}
