package dev.switchboard.sockjs;

import java.util.function.Consumer;

/**
 * One receiving request of a SockJS session over HTTP: a poll that carries one frame and ends, or a
 * stream that carries frames until it is ended. Implemented by the transport (an asynchronous
 * servlet response). A {@link SockJsSession} has at most one attached, and writes to it one frame at
 * a time: {@link #write} is never called while a write is in flight.
 */
public interface Receiver {

    /**
     * Writes one SockJS frame, in this transport's framing, without waiting for the peer;
     * {@code done} is called exactly once, possibly before this returns, with null once the container
     * took the bytes or with the failure. Never called after {@link #end()}.
     */
    void write(String frame, Consumer<Throwable> done);

    /** Whether the request ends after one frame (polling transports). */
    boolean polling();

    /** Whether a stream has carried as many bytes as one response may (it is then ended and re-opened by the client). */
    boolean full();

    /** {@link System#nanoTime()} when this request was attached. */
    long attachedNanos();

    /** Ends the response. Idempotent; any thread. */
    void end();
}
