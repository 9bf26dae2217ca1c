package dev.switchboard.session;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where one session is in its life, with the only transitions allowed, each atomic:
 *
 * <pre>
 *   OPENING ──{@link #open()}──► OPEN
 *      │                          │
 *      └──{@link #beginClosing()}──┴──► CLOSING ──{@link #end()}──► ENDED
 *   (and {@link #end()} from any phase: the connection is gone)
 * </pre>
 *
 * <p>Each transition is won by exactly one caller, whatever the threads: the inbound thread that
 * opens the session (STOMP CONNECT, the native handshake), a timer (heart-beat, token expiry), the
 * broker (a newer session took the channel), the outbound queue's thread that saw the connection
 * close. That is what makes the session's promises hold under races:
 * <ul>
 *   <li>one caller wins {@link #beginClosing()}: it alone decides how the connection closes (STOMP:
 *       it alone queues the ERROR frame), so a session sends at most one;</li>
 *   <li>{@link #open()} fails once the session is closing or ended: a session that was replaced or
 *       failed while it was opening never becomes open afterwards, and its opener undoes what it
 *       registered;</li>
 *   <li>one caller wins {@link #end()}: the clean-up runs once.</li>
 * </ul>
 *
 * <p>Thread safety: every method may be called from any thread.
 */
final class SessionState {

    enum Phase {
        /** Not open yet: STOMP awaits CONNECT, a native session is being started. */
        OPENING,
        /** Open: registered with the broker, greeted, taking deliveries. */
        OPEN,
        /** Being closed by the server (error, replaced, timer, DISCONNECT); nothing more is sent but the close. */
        CLOSING,
        /** The connection is gone; the session has been (or is being) forgotten everywhere. */
        ENDED
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.OPENING);

    /** The current phase; may change as soon as it is read. */
    Phase phase() {
        return phase.get();
    }

    /** True while the session is {@link Phase#OPEN}. */
    boolean isOpen() {
        return phase.get() == Phase.OPEN;
    }

    /** True once the session is closing or ended: nothing but the close is to be sent. */
    boolean isClosed() {
        Phase current = phase.get();
        return current == Phase.CLOSING || current == Phase.ENDED;
    }

    /**
     * OPENING to OPEN. False if the session is no longer opening (a close or the end of the
     * connection came first): the caller must then not act as if the session were open, and must
     * undo whatever it registered on the way.
     */
    boolean open() {
        return phase.compareAndSet(Phase.OPENING, Phase.OPEN);
    }

    /**
     * OPENING or OPEN to CLOSING. True for exactly one caller, which then chooses how the
     * connection is closed; false if it is closing or ended already.
     */
    boolean beginClosing() {
        for (;;) {
            Phase current = phase.get();
            if (current == Phase.CLOSING || current == Phase.ENDED) {
                return false;
            }
            if (phase.compareAndSet(current, Phase.CLOSING)) {
                return true;
            }
        }
    }

    /** Any phase to ENDED. True for exactly one caller, which then cleans up. */
    boolean end() {
        return phase.getAndSet(Phase.ENDED) != Phase.ENDED;
    }

    @Override
    public String toString() {
        return phase.get().name();
    }
}
