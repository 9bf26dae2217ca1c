package dev.switchboard.session;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket-level heart-beats of one session (SWITCHBOARD_HEARTBEAT_MS): a ping every interval,
 * through the session's queue; a peer from which nothing arrived for two intervals (no frame, no
 * pong: a half-open connection) is reported as silent, once. Thread safe; {@link #stop()} is final,
 * even if it comes before {@link #start} (a session that ended while it was being opened).
 */
final class PeerLiveness {

    private final Clock clock;
    private final long intervalMs;
    private volatile long lastHeardMillis;
    private volatile ScheduledFuture<?> task;
    private volatile boolean reported;
    private volatile boolean stopped;

    PeerLiveness(Clock clock, long intervalMs) {
        this.clock = clock;
        this.intervalMs = intervalMs;
        this.lastHeardMillis = clock.millis();
    }

    /** Starts pinging through {@code queue}; {@code onSilent} runs once when the peer falls silent. */
    void start(ScheduledExecutorService scheduler, OutboundQueue queue, Runnable onSilent) {
        task = scheduler.scheduleAtFixedRate(() -> {
            if (clock.millis() - lastHeardMillis > 2 * intervalMs) {
                if (!reported) {
                    reported = true;
                    onSilent.run();
                }
            } else {
                queue.offerPing();
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        // Written first, then stopped read; stop() does the reverse: one of the two cancels it.
        if (stopped) {
            task.cancel(false);
        }
    }

    /** Something arrived from the peer (a frame or a pong). */
    void heard() {
        lastHeardMillis = clock.millis();
    }

    /** Stops the pings for good; any thread, idempotent. */
    void stop() {
        stopped = true;
        ScheduledFuture<?> running = task;
        if (running != null) {
            running.cancel(false);
        }
    }
}
