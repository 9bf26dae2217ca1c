package dev.switchboard.session;

import dev.switchboard.broker.ClientIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * The two timers that follow one session's token: the {@code expiring} notice, {@code notice}
 * before the token's {@code exp} (at once if that has passed), and the end of its validity
 * ({@code exp} plus the clock skew), which closes the session. A refresh {@link #follow}s the new
 * token: both timers are rescheduled.
 *
 * <p>Threads: {@link #follow} runs on the session's inbound thread (open, CONNECT, refresh), the
 * timers on the scheduler, {@link #stop} on whichever thread ends the session. All state is
 * guarded by {@code this}. Each scheduling is a generation: a timer that fires after a refresh
 * replaced it (it was already running when cancelled) sees a newer generation and does nothing, so
 * a token refreshed at the last moment never closes the session. {@link #stop} is final: a
 * {@link #follow} after it schedules nothing.
 */
final class TokenTimers {

    private final SessionServices services;
    private final Duration notice;
    private final Consumer<Instant> onExpiring;
    private final Runnable onExpired;
    private long generation;
    private boolean stopped;
    private ScheduledFuture<?> expiring;
    private ScheduledFuture<?> expired;

    /**
     * {@code onExpiring} gets the token's {@code exp}; {@code onExpired} closes the session. Both
     * run on the scheduler.
     */
    TokenTimers(SessionServices services, Duration notice, Consumer<Instant> onExpiring, Runnable onExpired) {
        this.services = services;
        this.notice = notice;
        this.onExpiring = onExpiring;
        this.onExpired = onExpired;
    }

    /** Follows the token of {@code identity} from now on, replacing the timers of the previous one. */
    synchronized void follow(ClientIdentity identity) {
        if (stopped) {
            return;
        }
        cancelTimers();
        long current = ++generation;
        Instant validUntil = identity.tokenValidUntil();
        if (validUntil == null) {
            return; // a token without expiry (dev mode's may be long, never absent; kept for tests)
        }
        Instant exp = identity.tokenExpiresAt();
        expiring = services.scheduleAt(exp.minus(notice), () -> {
            if (isCurrent(current)) {
                onExpiring.accept(exp);
            }
        });
        expired = services.scheduleAt(validUntil, () -> {
            if (isCurrent(current)) {
                onExpired.run();
            }
        });
    }

    private synchronized boolean isCurrent(long scheduled) {
        return !stopped && scheduled == generation;
    }

    /** Cancels both timers for good. Any thread; idempotent. */
    synchronized void stop() {
        stopped = true;
        cancelTimers();
    }

    private void cancelTimers() {
        if (expiring != null) {
            expiring.cancel(false);
            expiring = null;
        }
        if (expired != null) {
            expired.cancel(false);
            expired = null;
        }
    }
}
