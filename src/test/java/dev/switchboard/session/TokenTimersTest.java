package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.ClientIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TokenTimers}: a timer that was already running when a refresh replaced it (so cancelling
 * it came too late) must not act. The scheduler records each task as scheduled, so the test can
 * run a replaced one by hand, as a scheduler thread would have.
 */
class TokenTimersTest {

    private static final Duration NOTICE = Duration.ofSeconds(60);

    private final MutableClock clock = MutableClock.atFixedInstant();
    private final RecordingScheduler scheduler = new RecordingScheduler();
    private final List<Instant> notices = new CopyOnWriteArrayList<>();
    private final List<String> expiries = new CopyOnWriteArrayList<>();
    private final TokenTimers timers = new TokenTimers(
            new SessionServices(null, null, null, null, scheduler, clock, null), NOTICE, notices::add,
            () -> expiries.add("expired"));

    @AfterEach
    void shutDown() {
        scheduler.shutdownNow();
    }

    @Test
    void followingATokenSchedulesTheNoticeBeforeExpAndTheEndAfterTheSkew() {
        timers.follow(tokenWithExpIn(Duration.ofHours(1)));

        assertThat(scheduler.delaysInSeconds).containsExactly(
                Duration.ofHours(1).minus(NOTICE).toSeconds(),
                Duration.ofHours(1).plus(ClientIdentity.TOKEN_CLOCK_SKEW).toSeconds());
    }

    @Test
    void timersOfAReplacedTokenDoNothingEvenIfTheyRunAfterTheRefresh() {
        timers.follow(tokenWithExpIn(Duration.ofMinutes(2)));
        List<Runnable> firstTimers = List.copyOf(scheduler.tasks);

        timers.follow(tokenWithExpIn(Duration.ofHours(1)));
        firstTimers.forEach(Runnable::run); // already running when cancelled

        assertThat(notices).isEmpty();
        assertThat(expiries).isEmpty();
        scheduler.tasks.get(3).run(); // the new token's end
        assertThat(expiries).containsExactly("expired");
    }

    @Test
    void afterStopNothingRunsAndNothingIsScheduled() {
        timers.follow(tokenWithExpIn(Duration.ofMinutes(2)));
        timers.stop();
        scheduler.tasks.forEach(Runnable::run);
        timers.follow(tokenWithExpIn(Duration.ofHours(1)));

        assertThat(notices).isEmpty();
        assertThat(expiries).isEmpty();
        assertThat(scheduler.tasks).hasSize(2);
    }

    @Test
    void theNoticeCarriesTheTokensExp() {
        ClientIdentity identity = tokenWithExpIn(Duration.ofMinutes(2));
        timers.follow(identity);

        scheduler.tasks.get(0).run(); // the notice, run by hand a minute early

        assertThat(notices).containsExactly(identity.tokenExpiresAt());
    }

    private ClientIdentity tokenWithExpIn(Duration left) {
        return new ClientIdentity("alice", Set.of(), "ch-1",
                clock.instant().plus(left).plus(ClientIdentity.TOKEN_CLOCK_SKEW), null);
    }

    /** Schedules as usual (so cancelling works), and keeps each task and delay, in order. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Runnable> tasks = new CopyOnWriteArrayList<>();
        final List<Long> delaysInSeconds = new CopyOnWriteArrayList<>();

        RecordingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            tasks.add(task);
            delaysInSeconds.add(unit.toSeconds(delay));
            return super.schedule(task, delay, unit);
        }
    }
}
