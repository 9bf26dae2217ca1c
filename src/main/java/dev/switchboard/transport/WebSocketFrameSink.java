package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.session.FrameSink;
import dev.switchboard.session.TextFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A {@link FrameSink} on a JSR 356 session, through its portable async remote.
 *
 * <p>The send time limit is the session's own ({@code OutboundQueue} times each pending send, the
 * same way on every container). The container's limit is set to twice that, as a backstop:
 * containers enforce theirs differently (see {@link #asTimeoutIfLate}), and Undertow breaks the
 * connection when its own limit strikes first.
 *
 * <p>Batches use JSR 356 batching, on Tomcat only: Tomcat copies a batched send into its output
 * buffer, writing the buffer whenever it fills, and completes the send at once; {@code flushBatch}
 * writes the rest, blocking. Undertow (WildFly) completes a batched send only once it is written,
 * that is after a flush that the queue issues only after the completion: the session would stall.
 * Tyrus (Payara) ignores batching. Elsewhere every send is written on its own.
 *
 * <p>Shared text frames (a topic message's, encoded once for all its recipients) go out as their
 * UTF-8 bytes where the container allows it: on Tomcat through {@link TomcatPreEncodedText}, which
 * is chosen here, once per session, and nowhere else. Elsewhere (Payara, WildFly, a Tomcat whose
 * internals moved) they are sent as text, the portable way.
 *
 * <p>The queue has at most one send in flight, so one completion handler and the start time of
 * the send in flight serve every send (nothing allocated per frame here).
 */
final class WebSocketFrameSink implements FrameSink {

    private static final Logger LOG = System.getLogger(WebSocketFrameSink.class.getName());
    /**
     * Tomcat's bound on a blocking send, which its close handshake is: without it, closing a
     * session whose reader stalled holds a sender thread for Tomcat's default 20 s.
     */
    private static final String TOMCAT_BLOCKING_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
    /**
     * Tomcat's bound on sending a close whose code is not 1000, 50 ms by default: a close written
     * later than that (a busy machine is enough, no stalled reader needed) makes Tomcat drop the
     * connection, and behind a proxy the client may then see 1006 instead of 4009 or 1008, and
     * reconnect when it should not. Closes run on the blocking executor, which may be held up to
     * the send time limit, as for any blocking send.
     */
    private static final String TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT =
            "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

    private static final SendResult SENT = new SendResult();

    private final Session session;
    private final RemoteEndpoint.Async remote;
    private final long sendTimeoutMs;
    private final boolean batches;
    /** Tomcat's send path for pre-encoded text; null on other containers (text goes the portable way). */
    private final TomcatPreEncodedText preEncoded;
    private final SendHandler completion = this::completed;
    /** The send in flight: its start and whom to tell. Written before the send starts, read by its completion. */
    private volatile long startedNanos;
    private volatile Consumer<Throwable> done;

    WebSocketFrameSink(Session session, TransportSettings settings) {
        this.session = session;
        this.remote = session.getAsyncRemote();
        this.sendTimeoutMs = settings.sendTimeoutMs();
        this.batches = session.getClass().getName().startsWith("org.apache.tomcat.websocket.");
        this.preEncoded = TomcatPreEncodedText.forSession(session);
        remote.setSendTimeout(2 * sendTimeoutMs);
        session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, sendTimeoutMs);
        session.getUserProperties().put(TOMCAT_ABNORMAL_CLOSE_SEND_TIMEOUT, sendTimeoutMs);
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        started(done);
        try {
            remote.sendText(text, completion);
        } catch (IllegalStateException e) {
            done.accept(e); // the session closed under us
        }
    }

    @Override
    public void sendText(TextFrame frame, Consumer<Throwable> done) {
        if (preEncoded == null) {
            sendText(frame.text(), done);
            return;
        }
        started(done);
        try {
            preEncoded.send(frame.utf8(), completion);
        } catch (IllegalStateException e) {
            done.accept(e); // the session closed under us
        }
    }

    @Override
    public void sendBinary(byte[] data, Consumer<Throwable> done) {
        started(done);
        try {
            remote.sendBinary(ByteBuffer.wrap(data), completion);
        } catch (IllegalStateException e) {
            done.accept(e);
        }
    }

    @Override
    public boolean startBatch() {
        if (!batches) {
            return false;
        }
        try {
            remote.setBatchingAllowed(true);
            return true;
        } catch (IOException | IllegalStateException e) {
            // Turning batching on writes nothing; if it fails anyway, frames go out one by one.
            LOG.log(Level.DEBUG, "Session " + session.getId() + " refused batching", e);
            return false;
        }
    }

    @Override
    public void flush(Consumer<Throwable> done) {
        started(done);
        try {
            remote.setBatchingAllowed(false); // writes out the batch, blocking
            completed(SENT);
        } catch (IOException | IllegalStateException e) {
            completed(new SendResult(e));
        }
    }

    private void started(Consumer<Throwable> whom) {
        startedNanos = System.nanoTime();
        done = whom;
    }

    private void completed(SendResult result) {
        done.accept(result.isOK() ? null : asTimeoutIfLate(result.getException(), startedNanos));
    }

    /**
     * Containers report a send that ran out of time differently: Tomcat with a
     * SocketTimeoutException, Undertow (WildFly) by breaking the connection and failing the send
     * with a plain IOException. A send that failed after running (nearly) its whole time limit
     * counts as timed out (a slow consumer, 4008) whatever the container called it. Nearly:
     * Undertow counts the limit from the connection's last write progress, which can be a few
     * milliseconds before this send started.
     */
    private Throwable asTimeoutIfLate(Throwable failure, long startedNanos) {
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        if (sendTimeoutMs <= 0 || elapsedMs < sendTimeoutMs * 9 / 10 || failure instanceof TimeoutException) {
            return failure;
        }
        TimeoutException timeout = new TimeoutException("send failed after " + elapsedMs + " ms (limit " + sendTimeoutMs
                + " ms)");
        timeout.initCause(failure);
        return timeout;
    }

    @Override
    public void sendPing(Consumer<Throwable> done) {
        try {
            remote.sendPing(ByteBuffer.allocate(0));
            done.accept(null);
        } catch (IOException | IllegalStateException e) {
            done.accept(e);
        }
    }

    @Override
    public void close(CloseCode code) {
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason()));
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.DEBUG, "Closing session " + session.getId() + " with " + code.code() + " failed", e);
        }
    }
}
