package dev.switchboard.session;

import dev.switchboard.broker.CloseCode;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One session's outbound frames (text or binary), in the order they were offered, with one drain that sends them
 * one at a time (no two threads ever send on one connection). Bounded by bytes (UTF-8 for text)
 * and frames queued: an offer over either bound closes the session as a slow consumer instead of
 * buffering without end, and never blocks the offering thread.
 *
 * <p>The drain is started on the drain executor when the queue goes from idle to busy and then
 * continues on whichever thread completes each send (a trampoline: a send that completes inline
 * continues the loop instead of recursing). After {@value #FRAMES_PER_TURN} frames in a row it
 * goes back to the drain executor, so one busy session cannot keep a drain thread from the others.
 * When {@value #BATCH_MIN_QUEUED} or more frames are queued behind the one being sent, they are
 * batched ({@link FrameSink#startBatch()}) and flushed when the queue runs dry, before a ping, or
 * at the end of a turn: under load, one write carries many frames. Pings, flushes and the close
 * may block (a stalled reader), so they run on the blocking executor; drain threads never wait
 * for a peer.
 *
 * <p>With a send time limit, a send still pending after it counts as a slow consumer (4008) even if
 * the container never fails it: Tyrus (Payara) applies no time limit to a send waiting for a
 * stalled reader, so the queue watches its own sends (one timer per session while a send is
 * pending, none while idle).
 *
 * <p>Nothing is allocated per frame: at most one send is in flight, so its completion state lives
 * in fields, published between threads by {@link #sendState}.
 *
 * <p>Thread safety: {@link #offer} and {@link #close} may be called from any thread.
 */
public final class OutboundQueue {

    /** What the queue tells its session. Called at most once per event kind, from any thread. */
    public interface Events {
        /** The bounds were exceeded; the queue is closing the connection with 4008. */
        void overflowed(long queuedBytes, int queuedFrames);

        /** A send failed; the queue is closing the connection with {@code code}. */
        void sendFailed(Throwable failure, CloseCode code);

        /** {@code count} queued frames will never be sent because the queue closed. */
        void discarded(int count);
    }

    /** Frames one drain sends before it yields its thread to other sessions' drains. */
    static final int FRAMES_PER_TURN = 64;
    /**
     * Frames that must be queued behind the one being sent to start a batch. A flush costs two
     * thread handoffs (it may block, so it runs on the blocking executor), which one or two frames
     * do not repay; a backlog of several does, and a backlog is what builds up under load.
     */
    static final int BATCH_MIN_QUEUED = 3;
    /** Queue entry standing for a ping. */
    private static final Object PING = new Object();
    /** What the drain waits for besides frames: a flush of the batch, or its next turn. */
    private static final Object FLUSH = new Object();
    private static final Object NEXT_TURN = new Object();

    /**
     * How the connection is to be closed: the close code, and the frame to send after everything
     * queued and before the close ({@link #closeAfter}), or null. One value, set once, so the frame
     * and the code always belong to the same close.
     */
    private record Closing(CloseCode code, String lastFrame) {
    }
    private static final int PENDING = 0;
    private static final int DRAINER_LEFT = 1;
    private static final int COMPLETED_INLINE = 2;

    private final FrameSink sink;
    private final SendExecutors executors;
    private final long maxBytes;
    private final int maxFrames;
    private final ScheduledExecutorService timer;
    private final long sendTimeoutNanos;
    private final Events events;

    /**
     * Text frames as {@code String} or {@link TextFrame}, binary frames as {@code byte[]}, shared
     * between recipients.
     */
    private final ConcurrentLinkedQueue<Object> frames = new ConcurrentLinkedQueue<>();
    /** UTF-8 bytes of the text frames plus bytes of the binary frames queued. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    /** True while one thread owns the drain loop (or a send it started is in flight). */
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Set once: how the connection is to be closed. Offers are refused from then on. */
    private final AtomicReference<Closing> closing = new AtomicReference<>();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    /** {@link System#nanoTime()} when the send in flight started; 0 while none is. */
    private volatile long sendStartedNanos;
    private final AtomicBoolean sendTimerArmed = new AtomicBoolean();

    /**
     * The send in flight: {@link #PENDING} until either its completion ({@link #COMPLETED_INLINE},
     * the drainer goes on) or the drainer ({@link #DRAINER_LEFT}, the completion goes on) gets there
     * first. The fields below are owned by whichever thread owns the drain; the CAS publishes them.
     */
    private final AtomicInteger sendState = new AtomicInteger();
    private Throwable inlineFailure;
    /** Whether the sink holds batched frames that a flush must write out. */
    private boolean batching;
    /** Whether the {@link #closeAfter} frame went out: frames still queued behind it are dropped. */
    private boolean lastFrameSent;
    private final Consumer<Throwable> sendDone = this::sendCompleted;
    private final Runnable ping;
    private final Runnable flush;
    private final Runnable nextTurn = () -> sendCompleted(null);
    /** One instance: a method reference evaluated at each start would allocate once per idle-to-busy turn. */
    private final Runnable drainTask = this::drain;

    /** A queue on one executor, without a send time limit of its own (the transport's applies, if any). */
    public OutboundQueue(FrameSink sink, Executor executor, long maxBytes, int maxFrames, Events events) {
        this(sink, SendExecutors.both(executor), maxBytes, maxFrames, null, 0, events);
    }

    /** A queue that closes the session with 4008 when one send stays pending longer than {@code sendTimeoutMs}. */
    public OutboundQueue(FrameSink sink, SendExecutors executors, long maxBytes, int maxFrames,
            ScheduledExecutorService timer, long sendTimeoutMs, Events events) {
        this.sink = sink;
        this.executors = executors;
        this.maxBytes = maxBytes;
        this.maxFrames = maxFrames;
        this.timer = timer;
        this.sendTimeoutNanos = timer == null ? 0 : TimeUnit.MILLISECONDS.toNanos(sendTimeoutMs);
        this.events = events;
        this.ping = () -> sink.sendPing(this::resumeOnDrainThread);
        this.flush = () -> sink.flush(this::resumeOnDrainThread);
    }

    /**
     * Queues a text frame (its UTF-8 length is computed here, and again when it leaves: for frames
     * made for one recipient). Returns false if the queue is closing or the frame overflowed it
     * (then the connection is being closed with 4008).
     */
    public boolean offer(String frame) {
        return enqueue(frame, TextFrame.utf8Length(frame));
    }

    /** Queues a text frame whose UTF-8 length is known (a frame shared by many recipients), as {@link #offer(String)}. */
    public boolean offer(TextFrame frame) {
        return enqueue(frame, frame.utf8Length());
    }

    /** Queues a WebSocket ping, in order with the frames (only this queue's drain writes to the connection). */
    public boolean offerPing() {
        return enqueue(PING, 0);
    }

    /** Queues a binary frame; its bytes count against the same bound as text frames' UTF-8 bytes. */
    public boolean offer(byte[] frame) {
        return enqueue(frame, frame.length);
    }

    private boolean enqueue(Object frame, int size) {
        if (closing.get() != null) {
            return false;
        }
        long bytes = queuedBytes.addAndGet(size);
        int count = queuedFrames.incrementAndGet();
        if (bytes > maxBytes || count > maxFrames) {
            queuedBytes.addAndGet(-size);
            queuedFrames.decrementAndGet();
            if (closing.compareAndSet(null, new Closing(CloseCode.SLOW_CONSUMER, null))) {
                events.overflowed(bytes, count);
                discardQueued();
                executors.blocking().execute(this::sendClose);
            }
            return false;
        }
        frames.add(frame);
        if (draining.compareAndSet(false, true)) {
            executors.drains().execute(drainTask);
        }
        return true;
    }

    /**
     * Closes the connection with {@code code} once everything queued so far has been sent.
     * Frames offered afterwards are refused. Only the first close counts.
     */
    public void close(CloseCode code) {
        if (closing.compareAndSet(null, new Closing(code, null)) && draining.compareAndSet(false, true)) {
            executors.drains().execute(drainTask);
        }
    }

    /**
     * Closes the connection with {@code code} once everything queued so far and then
     * {@code lastFrame} have been sent; nothing is sent after that frame. For a protocol's final
     * word: a STOMP ERROR, the RECEIPT of a DISCONNECT. Only the first close counts: returns false,
     * and sends nothing, if the queue is closing already. The frame is not counted against the
     * bounds.
     *
     * <p>Why not an {@link #offer} and then a {@link #close}: an offer on another thread that saw the
     * queue open just before the close would land between the two (a CONNECTED after an ERROR).
     * Here such a frame goes out before the last frame if it was queued before the drain got to
     * it, and is dropped if it comes after.
     */
    public boolean closeAfter(String lastFrame, CloseCode code) {
        if (!closing.compareAndSet(null, new Closing(code, lastFrame))) {
            return false;
        }
        if (draining.compareAndSet(false, true)) {
            executors.drains().execute(drainTask);
        }
        return true;
    }

    /** The code the connection is closed with, or null while it is not closing. */
    public CloseCode closeCode() {
        Closing close = closing.get();
        return close == null ? null : close.code();
    }

    /**
     * The connection is gone (closed by either side): send nothing more, count what was queued as
     * dropped.
     */
    public void connectionClosed() {
        closing.compareAndSet(null, new Closing(CloseCode.NORMAL, null));
        closeSent.set(true);
        discardQueued();
    }

    /**
     * Whether {@code bytes} in {@code frames} more fit in half of each bound with what is queued
     * now: what a replay may take at once. The other half is for the live messages that arrive
     * while the client reads the replay.
     */
    public boolean hasRoomForReplay(long bytes, int frames) {
        return queuedBytes.get() + bytes <= maxBytes / 2 && queuedFrames.get() + frames <= maxFrames / 2;
    }

    /** Bytes currently queued (not yet handed to the transport): UTF-8 for text frames. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    private void drain() {
        int sentThisTurn = 0;
        for (;;) {
            Object next = frames.peek();
            if (batching && (next == null || next == PING || sentThisTurn >= FRAMES_PER_TURN)) {
                batching = false;
                if (!startSend(FLUSH)) {
                    return; // the flush's completion continues the drain
                }
                continue;
            }
            if (sentThisTurn >= FRAMES_PER_TURN) {
                sentThisTurn = 0;
                if (!startSend(NEXT_TURN)) {
                    return;
                }
                continue;
            }
            Object frame = frames.poll();
            if (frame == null) {
                Closing close = closing.get();
                if (close != null && close.lastFrame() != null && !lastFrameSent) {
                    lastFrameSent = true;
                    sentThisTurn++;
                    if (!startSend(close.lastFrame())) {
                        return;
                    }
                    continue;
                }
                if (close != null) {
                    executors.blocking().execute(this::sendClose);
                    return;
                }
                draining.set(false);
                // Re-check: an offer may have queued a frame after our poll but seen draining=true.
                if (frames.isEmpty() && closing.get() == null || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            queuedBytes.addAndGet(-sizeOf(frame));
            queuedFrames.decrementAndGet();
            if (lastFrameSent) {
                events.discarded(1); // offered as closeAfter ran, and queued behind its frame
                continue;
            }
            if (!batching && frame != PING && queuedFrames.get() >= BATCH_MIN_QUEUED && isFrame(frames.peek())) {
                batching = sink.startBatch();
            }
            sentThisTurn++;
            if (!startSend(frame)) {
                return;
            }
        }
    }

    private static boolean isFrame(Object entry) {
        return entry != null && entry != PING;
    }

    /**
     * Starts one step of the drain: a frame, a ping, a flush or the next turn. Returns true if it
     * completed inline and the drain goes on here; false if its completion (on another thread)
     * continues the drain, or it failed.
     */
    private boolean startSend(Object step) {
        sendState.set(PENDING);
        inlineFailure = null;
        boolean timed = step != NEXT_TURN; // waiting for a drain thread is not the peer's fault
        if (timed) {
            sendStartedNanos = System.nanoTime() | 1; // never 0, which means idle
        }
        if (step instanceof TextFrame text) {
            sink.sendText(text, sendDone);
        } else if (step instanceof String text) {
            sink.sendText(text, sendDone);
        } else if (step == PING) {
            executors.blocking().execute(ping);
        } else if (step == FLUSH) {
            executors.blocking().execute(flush);
        } else if (step == NEXT_TURN) {
            executors.drains().execute(nextTurn);
        } else {
            sink.sendBinary((byte[]) step, sendDone);
        }
        if (sendState.compareAndSet(PENDING, DRAINER_LEFT)) {
            if (timed) {
                armSendTimer(sendTimeoutNanos);
            }
            return false;
        }
        if (inlineFailure != null) {
            failed(inlineFailure);
            return false;
        }
        return true;
    }

    /**
     * Completion of a step that ran on the blocking executor: the drain goes on on a drain thread,
     * so that blocking threads only ever wait for peers and the sending stays on a few threads.
     */
    private void resumeOnDrainThread(Throwable failure) {
        sendStartedNanos = 0; // the peer's part is done: waiting for a drain thread is not its fault
        executors.drains().execute(() -> sendCompleted(failure));
    }

    private void sendCompleted(Throwable failure) {
        sendStartedNanos = 0;
        inlineFailure = failure; // published to the drainer by the CAS below
        if (!sendState.compareAndSet(PENDING, COMPLETED_INLINE)) {
            afterSend(failure);
        }
    }

    private static int sizeOf(Object frame) {
        if (frame instanceof TextFrame text) {
            return text.utf8Length();
        }
        if (frame instanceof String text) {
            return TextFrame.utf8Length(text);
        }
        return frame == PING ? 0 : ((byte[]) frame).length;
    }

    private void armSendTimer(long delayNanos) {
        if (sendTimeoutNanos > 0 && sendTimerArmed.compareAndSet(false, true)) {
            timer.schedule(this::checkPendingSend, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Fails the pending send if it has run its time limit; else looks again when it would have. */
    private void checkPendingSend() {
        sendTimerArmed.set(false);
        long started = sendStartedNanos;
        if (started == 0 || closing.get() != null) {
            return; // idle (the next pending send arms the timer again) or closing anyway
        }
        long remaining = started + sendTimeoutNanos - System.nanoTime();
        if (remaining > 0) {
            armSendTimer(remaining);
            return;
        }
        failed(new TimeoutException("a send stayed pending for more than "
                + TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos) + " ms"));
    }

    private void afterSend(Throwable failure) {
        if (failure != null) {
            failed(failure);
        } else {
            drain();
        }
    }

    private void failed(Throwable failure) {
        CloseCode code = isTimeout(failure) ? CloseCode.SLOW_CONSUMER : CloseCode.INTERNAL_ERROR;
        if (closing.compareAndSet(null, new Closing(code, null))) {
            events.sendFailed(failure, code);
        }
        discardQueued();
        executors.blocking().execute(this::sendClose);
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void discardQueued() {
        int count = 0;
        while (frames.poll() != null) {
            count++;
        }
        queuedBytes.set(0);
        queuedFrames.set(0);
        if (count > 0) {
            events.discarded(count);
        }
    }

    private void sendClose() {
        if (closeSent.compareAndSet(false, true)) {
            sink.close(closing.get().code());
        }
    }
}
