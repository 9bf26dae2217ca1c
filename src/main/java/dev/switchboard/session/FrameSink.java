package dev.switchboard.session;

import dev.switchboard.broker.CloseCode;
import java.util.function.Consumer;

/**
 * The transport's side of one connection, as a session's outbound queue uses it. Implemented by
 * the transport adapter; the queue guarantees that at most one send is in flight.
 */
public interface FrameSink {

    /**
     * Starts sending one text frame and returns without waiting for the peer. {@code done} is
     * called exactly once, possibly before this method returns, with null on success or the
     * failure (for instance the send time limit was exceeded).
     */
    void sendText(String text, Consumer<Throwable> done);

    /** As {@link #sendText}, for one binary frame (a STOMP frame with a binary body). */
    void sendBinary(byte[] data, Consumer<Throwable> done);

    /** Sends a WebSocket ping (a heart-beat); {@code done} as for {@link #sendText}. */
    void sendPing(Consumer<Throwable> done);

    /** Closes the connection with {@code code}. May block up to the send time limit. */
    void close(CloseCode code);
}
