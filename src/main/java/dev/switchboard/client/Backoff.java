package dev.switchboard.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between reconnection attempts: exponential growth from {@code initial} by
 * {@code multiplier} per failed attempt, capped at {@code max}, each delay reduced by a random
 * share of up to {@code jitter} so that many clients dropped at once do not return in step
 * ("equal jitter": with jitter 0.5 a delay lies in [base/2, base]).
 *
 * <p>Not thread safe: the client uses it on its event thread only.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final double multiplier;
    private final double jitter;
    private final DoubleSupplier random;
    /** Failed attempts since the last {@link #reset()}. */
    private int attempts;

    /**
     * @param jitter in [0, 1]: the largest share of a delay taken off at random
     * @param random values in [0, 1)
     */
    Backoff(Duration initial, Duration max, double multiplier, double jitter, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        if (multiplier < 1 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("backoff needs multiplier >= 1 and jitter in [0, 1]");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = random;
    }

    Backoff(Duration initial, Duration max, double jitter) {
        this(initial, max, 2.0, jitter, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The delay before the next attempt; each call counts one more failed attempt. */
    Duration nextDelay() {
        double base = Math.min(maxMillis, initialMillis * Math.pow(multiplier, attempts));
        if (attempts < 64) {
            attempts++; // beyond this the cap holds anyway; keep pow finite
        }
        return Duration.ofMillis(Math.round(base * (1 - jitter * random.getAsDouble())));
    }

    /** After a good connection: the next delay starts again from {@code initial}. */
    void reset() {
        attempts = 0;
    }
}
