package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HandshakeRateLimiterTest {

    private final MutableClock clock = MutableClock.atFixedInstant();

    @Test
    void burstIsAllowedThenTheNextHandshakeIsRefused() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(1, 5, clock);

        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("10.0.0.1")).as("handshake %d", i + 1).isTrue();
        }
        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
    }

    @Test
    void tokensRefillAtTheConfiguredRateAsTheClockMoves() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(2, 2, clock);
        drain(limiter, "10.0.0.1");

        clock.advance(Duration.ofMillis(400));
        assertThat(limiter.tryAcquire("10.0.0.1")).as("0.8 of a token").isFalse();

        clock.advance(Duration.ofMillis(100));
        assertThat(limiter.tryAcquire("10.0.0.1")).as("one token after 500 ms at 2/s").isTrue();
        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
    }

    @Test
    void refillNeverExceedsTheBurst() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(10, 3, clock);
        drain(limiter, "10.0.0.1");

        clock.advance(Duration.ofHours(1));

        assertThat(drain(limiter, "10.0.0.1")).isEqualTo(3);
    }

    @Test
    void eachAddressHasItsOwnBucket() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(1, 2, clock);
        drain(limiter, "10.0.0.1");

        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
        assertThat(limiter.tryAcquire("10.0.0.2")).isTrue();
        assertThat(limiter.tryAcquire("10.0.0.2")).isTrue();
        assertThat(limiter.tryAcquire("10.0.0.2")).isFalse();
    }

    @Test
    void rateZeroMeansUnlimited() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(0, 1, clock);

        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire("10.0.0.1")).isTrue();
        }
    }

    @Test
    void clockMovingBackwardsGrantsNothingExtra() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(1, 1, clock);
        drain(limiter, "10.0.0.1");

        clock.advance(Duration.ofSeconds(-10));

        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
    }

    /** Takes tokens until refused; returns how many were granted. */
    private static int drain(HandshakeRateLimiter limiter, String address) {
        int granted = 0;
        while (limiter.tryAcquire(address)) {
            granted++;
            if (granted > 1_000) {
                throw new AssertionError("bucket never ran dry");
            }
        }
        return granted;
    }
}
