package dev.switchboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that tests move by hand instead of sleeping (docs/architecture.md, Principles: time comes from an
 * injected clock). It stands still until {@link #advance} or {@link #set} moves it.
 *
 * <p>Thread safe: a move made on the test thread is seen at once by code under test on any thread.
 * {@link #withZone} returns a view on the same instant, so it moves too.
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    public MutableClock(Instant start) {
        this(new AtomicReference<>(Objects.requireNonNull(start)), ZoneOffset.UTC);
    }

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = Objects.requireNonNull(zone);
    }

    /** A clock standing at an arbitrary fixed instant, 2025-01-01T00:00:00Z. */
    public static MutableClock atFixedInstant() {
        return new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    }

    /** Moves the clock by {@code duration}: forward, or back if it is negative. */
    public void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    /** Moves the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new MutableClock(now, newZone);
    }

    @Override
    public String toString() {
        return "MutableClock[" + now.get() + ", " + zone + "]";
    }
}
