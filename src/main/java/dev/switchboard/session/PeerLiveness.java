package dev.switchboard.session;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket-level heart-beats of one session (SWITCHBOARD_HEARTBEAT_MS): a ping every interval,
 * through the session's queue; a peer from which nothing arrived for two intervals (no frame, no
 * pong: a half-open connection) is reported as silent, once. Thread safe.
 */
final class PeerLiveness {

    private final Clock clock;
    private final long intervalMs;
    private volatile long lastHeardMillis;
    private volatile ScheduledFuture<?> task;
    private volatile boolean reported;

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
    }

    /** Something arrived from the peer (a frame or a pong). */
    void heard() {
        lastHeardMillis = clock.millis();
    }

    void stop() {
        ScheduledFuture<?> running = task;
        if (running != null) {
            running.cancel(false);
        }
    }
}
