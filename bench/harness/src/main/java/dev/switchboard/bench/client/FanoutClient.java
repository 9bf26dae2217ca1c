package dev.switchboard.bench.client;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The subscribers' side of a fan-out fed by a publisher outside the client (such as
 * {@link HttpTopicPublisher}): what a scenario needs to measure it the same way whatever carries
 * the messages, WebSocket ({@link LoadClient}) or SockJS xhr-streaming ({@link XhrStreamingClient}).
 */
public interface FanoutClient extends AutoCloseable {

    /** Opens these connections, at most {@code maxInFlight} opening at a time. */
    ConnectionBatch open(List<ConnectionSpec> specs, int maxInFlight);

    /** Waits until {@code subscribers} received at least one message, i.e. their subscription is surely active. */
    boolean awaitPrimed(int subscribers, long timeout, TimeUnit unit) throws InterruptedException;

    /** Waits until {@code subscribers} received the last sequence number published so far. */
    boolean awaitDrained(int subscribers, long timeout, TimeUnit unit) throws InterruptedException;

    /** The next sequence number the publisher must use. */
    long nextSeq();

    /** Tells the client that the publisher sent everything up to {@code seq} (for {@link #awaitDrained}). */
    void publishedElsewhere(long seq);

    void startWindow();

    WindowStats endWindow();

    /** Problems so far, without a window. */
    WindowStats totals();

    /** Closes every connection (counted as intended) and stops the client's thread. */
    @Override
    void close();
}
