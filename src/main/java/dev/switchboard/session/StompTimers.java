package dev.switchboard.session;

import dev.switchboard.stomp.StompEncoder;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The STOMP-level timers of one connected session: heart-beats we send and the watch on the
 * client's heart-beats (the token's timers are {@link TokenTimers}). A timer that ends the session calls
 * {@code closeWithError} with the ERROR frame's message and detail.
 *
 * <p>Threads: started on the inbound thread (CONNECT), which also reports every inbound message
 * through {@link #heard()}; the timers run on the scheduler; {@link #stop()} comes from whichever
 * thread ends the session, possibly while CONNECT is still starting them. The last-heard time and
 * {@code stopped} are volatile and the timer list copy-on-write. {@code stop()} is final: a timer
 * started after it is cancelled at once, so a session that ended while it connected leaves no
 * periodic task behind on the scheduler.
 */
final class StompTimers {

    /** Logs under the session's name, where operators already look for STOMP session events. */
    private static final Logger LOG = System.getLogger(StompSession.class.getName());

    private final String sessionId;
    private final SessionServices services;
    private final OutboundQueue outbound;
    private final BiConsumer<String, String> closeWithError;
    private final List<ScheduledFuture<?>> timers = new CopyOnWriteArrayList<>();
    private volatile long lastInboundMillis;
    private volatile boolean stopped;

    StompTimers(String sessionId, SessionServices services, OutboundQueue outbound,
            BiConsumer<String, String> closeWithError) {
        this.sessionId = sessionId;
        this.services = services;
        this.outbound = outbound;
        this.closeWithError = closeWithError;
        this.lastInboundMillis = services.clock().millis();
    }

    /** Something arrived from the client: it counts as a heart-beat. */
    void heard() {
        lastInboundMillis = services.clock().millis();
    }

    /** Starts the negotiated heart-beats (0 for none either way); {@code user} is for the log. */
    void startHeartbeats(long sendEveryMs, long expectEveryMs, String user) {
        if (sendEveryMs > 0) {
            keep(services.scheduler().scheduleAtFixedRate(() -> outbound.offer(StompEncoder.HEARTBEAT),
                    sendEveryMs, sendEveryMs, TimeUnit.MILLISECONDS));
        }
        if (expectEveryMs > 0) {
            // A beat may be late by up to one interval (STOMP 1.2 suggests a margin) before the peer counts as gone.
            long toleranceMs = 2 * expectEveryMs;
            keep(services.scheduler().scheduleAtFixedRate(() -> {
                long silentMs = services.clock().millis() - lastInboundMillis;
                if (silentMs > toleranceMs) {
                    LOG.log(Level.INFO, "STOMP session {0} (user {1}) silent for {2} ms; dropping it", sessionId,
                            user, String.valueOf(silentMs));
                    closeWithError.accept("heart-beat timeout", "nothing received for " + silentMs + " ms");
                }
            }, expectEveryMs, expectEveryMs / 2, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Lists a started timer for {@link #stop()}, or cancels it if the session has stopped already.
     * Listed first, then {@code stopped} read; {@link #stop()} writes it first, then reads the list:
     * one of the two sees the other, so no timer escapes.
     */
    private void keep(ScheduledFuture<?> timer) {
        timers.add(timer);
        if (stopped) {
            timer.cancel(false);
        }
    }

    /** Cancels every timer, and every timer started from now on. Any thread; idempotent. */
    void stop() {
        stopped = true;
        timers.forEach(timer -> timer.cancel(false));
    }
}
