package dev.switchboard.session;

import dev.switchboard.broker.CloseCode;
import java.util.function.Consumer;

/**
 * The transport's side of one connection, as a session's outbound queue uses it. Implemented by
 * the transport adapter; the queue guarantees that at most one send (or flush) is in flight.
 *
 * <p>Batching: when frames are queued up behind the one being sent, the queue calls
 * {@link #startBatch()}; if that returns true, the sink holds the following sends in its buffer,
 * reporting each done once buffered, until {@link #flush}. One write for many frames is what makes a busy fan-out cheap (one
 * small frame per write costs about as much as the rest of the delivery together).
 */
public interface FrameSink {

    /**
     * Starts sending one text frame and returns without waiting for the peer. {@code done} is
     * called exactly once, possibly before this method returns, with null on success or the
     * failure (for instance the send time limit was exceeded).
     */
    void sendText(String text, Consumer<Throwable> done);

    /**
     * As {@link #sendText(String, Consumer)}, for a frame shared by many recipients: a sink that can
     * write bytes as they are sends {@link TextFrame#utf8()}, encoded once for all of them, instead
     * of having the container encode the text again for each. By default, the text.
     */
    default void sendText(TextFrame frame, Consumer<Throwable> done) {
        sendText(frame.text(), done);
    }

    /** As {@link #sendText}, for one binary frame (a STOMP frame with a binary body). */
    void sendBinary(byte[] data, Consumer<Throwable> done);

    /**
     * Sends a WebSocket ping (a heart-beat); {@code done} as for {@link #sendText}. May block up to
     * the send time limit: the queue calls it on its blocking executor, after a {@link #flush}.
     */
    void sendPing(Consumer<Throwable> done);

    /**
     * Asks the sink to hold the following sends until {@link #flush}. Returns false if it does not
     * batch (the default): each send is then written on its own and no flush is needed.
     */
    default boolean startBatch() {
        return false;
    }

    /**
     * Writes out the frames held since {@link #startBatch()} and ends the batch; {@code done} as for
     * {@link #sendText}. May block up to the send time limit: the queue calls it on its blocking executor.
     */
    default void flush(Consumer<Throwable> done) {
        done.accept(null);
    }

    /** Closes the connection with {@code code}. May block up to the send time limit. */
    void close(CloseCode code);
}
