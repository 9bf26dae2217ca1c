package dev.switchboard.client;

import dev.switchboard.protocol.ClientFrame;
import jakarta.websocket.CloseReason;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;

/**
 * The heart-beat check of the current connection, at the interval the server's {@code welcome}
 * announced: a {@code ping} if nothing arrived for an interval, and the connection counts as lost
 * (1006) if nothing arrived for two, as the server does with its peers. Any frame from the server
 * counts ({@code pong} exists for nothing else).
 *
 * <p>Event thread only: started, fed and stopped there, and its timer runs there.
 */
final class HeartbeatWatchdog {

    /** Where a connection found silent is reported, as if it had closed with {@code code}. */
    @FunctionalInterface
    interface SilenceHandler {
        void connectionLost(Connection connection, int code, String reason);
    }

    private final EventLoop events;
    private final Clock clock;
    private final CurrentConnection current;
    private final SilenceHandler silenceHandler;
    private ScheduledFuture<?> timer;
    private long lastFrameMillis;

    HeartbeatWatchdog(EventLoop events, Clock clock, CurrentConnection current, SilenceHandler silenceHandler) {
        this.events = events;
        this.clock = clock;
        this.current = current;
        this.silenceHandler = silenceHandler;
    }

    /** Starts checking {@code connection} every {@code intervalMillis}; 0 or less: no heart-beat. */
    void start(Connection connection, long intervalMillis) {
        if (intervalMillis <= 0) {
            return;
        }
        lastFrameMillis = clock.millis();
        timer = events.scheduleEvery(() -> check(connection, intervalMillis), intervalMillis);
    }

    /** A frame arrived on the current connection. */
    void frameArrived() {
        lastFrameMillis = clock.millis();
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check(Connection connection, long intervalMillis) {
        if (!current.is(connection)) {
            return;
        }
        long silent = clock.millis() - lastFrameMillis;
        if (silent >= 2 * intervalMillis) {
            connection.close(CloseReason.CloseCodes.GOING_AWAY, "no frames from the server");
            silenceHandler.connectionLost(connection, CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode(),
                    "no frames from the server for " + silent + " ms");
        } else if (silent >= intervalMillis) {
            current.send(connection, new ClientFrame.Ping());
        }
    }
}
