package dev.switchboard.sockjs;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.session.FrameSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One SockJS session over the HTTP transports (SockJS 0.3.3): the {@link FrameSink} of a native or
 * STOMP session whose frames leave through a succession of receiving requests ({@link Receiver}s),
 * and whose messages arrive through {@code xhr_send}.
 *
 * <p>Outbound: a frame handed to {@link #sendText} waits here until a receiver is attached, and its
 * send completes only when the {@code a[...]} frame carrying it was written. The session's outbound
 * queue therefore keeps counting everything not yet written, and a client that stops polling is a
 * slow consumer like any other (its send time limit runs out), unless the session times out first:
 * with no receiver attached for the disconnect delay it is abandoned. Batched sends
 * ({@link #startBatch}) are collected and written as one {@code a[...]} frame.
 *
 * <p>The protocol's rules kept here: {@code o} is the first frame; a second receiving request while
 * one is attached gets {@code c[2010,"Another connection still open"]} and leaves the first alone; a
 * closed session answers every receiving request with its close frame until it is forgotten, the
 * disconnect delay after it closed.
 *
 * <p>Thread safety: every method may be called from any thread. The session's state is guarded by
 * its monitor; receivers are written to and ended outside it (their completions come back on
 * container threads and take the monitor). Inbound messages are handed to the {@link Handler} one
 * at a time, in order, as a WebSocket container would.
 */
public final class SockJsSession implements FrameSink {

    /** The protocol session behind a SockJS session, as the SockJS layer drives it. */
    public interface Handler {
        /** Opens the protocol session (it may greet the client); called once, when bound. */
        void start();

        /** One message from the client; never concurrently with another. */
        void onMessage(String message);

        /** A request of this session arrived: the peer is alive (what a pong is to a WebSocket). */
        void onPeerActive();

        /**
         * The session is closed, by the protocol session or because its peer is gone (no receiving
         * request for the disconnect delay, or one that broke); called once.
         */
        void ended();
    }

    static final String ANOTHER_CONNECTION = SockJsFrames.close(2010, "Another connection still open");
    static final String INTERRUPTED = SockJsFrames.close(1002, "Connection interrupted");

    private final String id;
    private final SockJsSettings settings;
    private final ScheduledExecutorService scheduler;
    private final QuotedTexts quotedTexts;
    private final Runnable forget;
    private volatile Handler handler;
    /** Serialises inbound messages: two {@code xhr_send} requests of one session may race. */
    private final Object inbound = new Object();

    // Guarded by this.
    /** Messages not yet written, each a quoted JSON string, joined with commas. */
    private final StringBuilder pending = new StringBuilder();
    private boolean batching;
    /** The send (or flush) that completes when {@link #pending} is written; at most one. */
    private Consumer<Throwable> waitingSend;
    private Receiver receiver;
    /** A write to {@link #receiver} is in flight. */
    private boolean writing;
    private boolean openSent;
    private boolean heartbeatDue;
    /** Set when the session closed: every receiving request gets this frame from then on. */
    private String closeFrame;
    private boolean ended;
    private ScheduledFuture<?> abandonTimer;

    /**
     * A new session; nothing is sent until the first receiver is attached. {@code forget} removes it
     * from its registry; it runs the disconnect delay after the session closed.
     */
    public SockJsSession(String id, SockJsSettings settings, ScheduledExecutorService scheduler, Runnable forget) {
        this(id, settings, scheduler, new QuotedTexts(), forget);
    }

    /**
     * The same, quoting messages through {@code quotedTexts}, which the sessions of one endpoint
     * share: a message sent to many of them is then escaped once.
     */
    public SockJsSession(String id, SockJsSettings settings, ScheduledExecutorService scheduler, QuotedTexts quotedTexts,
            Runnable forget) {
        this.id = id;
        this.settings = settings;
        this.scheduler = scheduler;
        this.quotedTexts = quotedTexts;
        this.forget = forget;
    }

    /** Sets the protocol session behind this one; before the first receiver is attached. */
    public void bind(Handler handler) {
        this.handler = handler;
    }

    public String id() {
        return id;
    }

    /** Whether the session closed (its close frame is all a receiving request gets). */
    public synchronized boolean isClosed() {
        return closeFrame != null;
    }

    /**
     * A receiving request arrived. It is written to at once if there is something to send; else it
     * waits for messages, a heart-beat or the close.
     */
    public void attach(Receiver incoming) {
        boolean another;
        synchronized (this) {
            another = receiver != null;
            if (!another) {
                receiver = incoming;
            }
        }
        if (another) {
            // The protocol's rule: the new request is refused, the attached one carries on.
            incoming.write(ANOTHER_CONNECTION, failure -> incoming.end());
            return;
        }
        synchronized (this) {
            if (abandonTimer != null) {
                abandonTimer.cancel(false);
                abandonTimer = null;
            }
        }
        Handler current = handler;
        if (current != null) {
            current.onPeerActive();
        }
        pump();
    }

    /** A receiving request ended or failed on the client's side (not after {@link Receiver#end()} by us). */
    public void detach(Receiver gone) {
        synchronized (this) {
            if (receiver != gone) {
                return;
            }
            receiver = null;
            startAbandonTimer();
        }
    }

    /** Messages from the client ({@code xhr_send}, {@code jsonp_send}). Ignored once closed. */
    public void receive(List<String> messages) {
        Handler current = handler;
        if (current == null || isClosed()) {
            return;
        }
        current.onPeerActive();
        synchronized (inbound) {
            for (String message : messages) {
                current.onMessage(message);
            }
        }
    }

    @Override
    public void sendText(String text, Consumer<Throwable> done) {
        synchronized (this) {
            if (closeFrame != null) {
                done.accept(new IOException("SockJS session " + id + " is closed"));
                return;
            }
            if (!pending.isEmpty()) {
                pending.append(',');
            }
            quotedTexts.appendQuoted(pending, text);
            if (batching) {
                done.accept(null); // held here until flush, whose completion waits for the write
                return;
            }
            waitingSend = done;
        }
        pump();
    }

    /**
     * SockJS carries text only: a binary frame (a STOMP frame whose body is not UTF-8) is sent as
     * its bytes decoded as UTF-8, as Spring's SockJS service does. docs/sockjs.md says so.
     */
    @Override
    public void sendBinary(byte[] data, Consumer<Throwable> done) {
        sendText(new String(data, StandardCharsets.UTF_8), done);
    }

    @Override
    public synchronized boolean startBatch() {
        batching = true;
        return true;
    }

    @Override
    public void flush(Consumer<Throwable> done) {
        synchronized (this) {
            batching = false;
            if (pending.isEmpty() || closeFrame != null) {
                done.accept(null);
                return;
            }
            waitingSend = done;
        }
        pump();
    }

    /**
     * A heart-beat: {@code h} to the attached receiver (a waiting poll is answered with it). A stream
     * attached for half an interval or more is ended after it, so that the client shows itself with a
     * new request. Never waits: with no receiver the heart-beat is skipped.
     */
    @Override
    public void sendPing(Consumer<Throwable> done) {
        synchronized (this) {
            heartbeatDue = receiver != null && closeFrame == null;
        }
        pump();
        done.accept(null);
    }

    @Override
    public void close(CloseCode code) {
        closeWith(SockJsFrames.close(code.code(), code.reason()), false);
    }

    /**
     * Closes the session with {@code frame} as its close frame (the first close counts): it is
     * written to the attached receiver, and every receiving request gets it until the session is
     * forgotten. With {@code peerGone}, what waits to be written is dropped (nobody will read it)
     * and the send waiting for it fails, so the protocol session is not held open by it.
     */
    private void closeWith(String frame, boolean peerGone) {
        Handler current;
        Consumer<Throwable> unsent = null;
        synchronized (this) {
            if (closeFrame != null) {
                return;
            }
            closeFrame = frame;
            if (abandonTimer != null) {
                abandonTimer.cancel(false);
                abandonTimer = null;
            }
            if (peerGone) {
                pending.setLength(0);
                unsent = waitingSend;
                waitingSend = null;
            }
            current = ended ? null : handler;
            ended = true;
        }
        scheduler.schedule(this::forget, settings.disconnectDelayMs(), TimeUnit.MILLISECONDS);
        pump();
        if (current != null) {
            current.ended();
        }
        if (unsent != null) {
            unsent.accept(new IOException("SockJS session " + id + " lost its peer"));
        }
    }

    /**
     * The attached receiving request failed on the client's side (its connection was reset or broke
     * while it waited). What was written to it may be lost, and SockJS has no
     * acknowledgements: the session ends ({@code c[1002,"Connection interrupted"]}, SockJS 0.3.3
     * "Closing"), so the client opens a new one and resumes, instead of carrying on past a gap.
     */
    public void interrupted(Receiver failed) {
        synchronized (this) {
            if (receiver != failed) {
                return; // a request this session never wrote to (one refused with 2010): nothing lost
            }
            receiver = null;
        }
        closeWith(INTERRUPTED, true);
    }

    /**
     * The end of a closed session: a receiver still attached is one whose write never completed (a
     * reader that stopped reading, the usual reason for a 4008); it is ended so that its connection
     * does not outlive the session.
     */
    private void forget() {
        Receiver stuck;
        synchronized (this) {
            stuck = receiver;
            receiver = null;
        }
        if (stuck != null) {
            stuck.end();
        }
        forget.run();
    }

    /** Writes the next frame to the attached receiver, if there is one to write and none in flight. */
    private void pump() {
        Receiver target;
        String frame;
        Consumer<Throwable> sendDone = null;
        boolean endAfter;
        synchronized (this) {
            if (receiver == null || writing) {
                return;
            }
            target = receiver;
            if (!openSent) {
                openSent = true;
                frame = SockJsFrames.OPEN;
                endAfter = false;
            } else if (!pending.isEmpty()) {
                frame = SockJsFrames.messages(pending);
                pending.setLength(0);
                sendDone = waitingSend;
                waitingSend = null;
                heartbeatDue = false; // the messages say as much
                endAfter = false;
            } else if (closeFrame != null) {
                frame = closeFrame;
                endAfter = true;
            } else if (heartbeatDue) {
                heartbeatDue = false;
                frame = SockJsFrames.HEARTBEAT;
                long attachedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - target.attachedNanos());
                endAfter = attachedMs >= settings.heartbeatMs() / 2;
            } else {
                return;
            }
            writing = true;
        }
        Consumer<Throwable> whenWritten = sendDone;
        target.write(frame, failure -> written(target, whenWritten, endAfter, failure));
    }

    private void written(Receiver target, Consumer<Throwable> sendDone, boolean endAfter, Throwable failure) {
        boolean end;
        synchronized (this) {
            writing = false;
            end = failure != null || endAfter || target.polling() || target.full();
            if (end && receiver == target) {
                receiver = null;
                if (closeFrame == null) {
                    startAbandonTimer();
                }
            }
        }
        if (end) {
            target.end();
        }
        if (failure != null) {
            closeWith(INTERRUPTED, true); // what the failed write carried may be lost (see interrupted)
        }
        if (sendDone != null) {
            sendDone.accept(failure);
        }
        pump();
    }

    /** Guarded by this. */
    private void startAbandonTimer() {
        if (closeFrame != null || abandonTimer != null) {
            return;
        }
        abandonTimer = scheduler.schedule(this::abandonIfStillDetached, settings.disconnectDelayMs(),
                TimeUnit.MILLISECONDS);
    }

    private void abandonIfStillDetached() {
        synchronized (this) {
            abandonTimer = null;
            if (receiver != null || closeFrame != null) {
                return;
            }
        }
        // The peer is gone, as a WebSocket's close says: what the protocol session queues last (a
        // STOMP ERROR) would wait for a receiver that does not come, and hold the session open until
        // the send time limit. So the session closes here, and drops what nobody will read.
        closeWith(SockJsFrames.close(CloseCode.PEER_SILENT.code(), CloseCode.PEER_SILENT.reason()), true);
    }
}
