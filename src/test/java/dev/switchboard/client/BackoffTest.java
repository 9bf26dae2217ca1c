package dev.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static Backoff withRandom(double value) {
        return new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, 0.5, () -> value);
    }

    private static List<Long> delays(Backoff backoff, int count) {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            delays.add(backoff.nextDelay().toMillis());
        }
        return delays;
    }

    @Test
    void withoutRandomReductionDelaysDoubleFromTheInitialOneUpToTheCap() {
        assertThat(delays(withRandom(0.0), 9))
                .containsExactly(200L, 400L, 800L, 1600L, 3200L, 6400L, 10_000L, 10_000L, 10_000L);
    }

    @Test
    void jitterTakesOffAtMostItsShareOfEachDelay() {
        assertThat(delays(withRandom(0.999_999), 7)).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L);
    }

    @Test
    void jitteredDelaysStayWithinTheirBoundsAndSpread() {
        Random random = new Random(42);
        List<Long> firsts = new ArrayList<>();
        for (int run = 0; run < 200; run++) {
            Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2.0, 0.5, random::nextDouble);
            List<Long> delays = delays(backoff, 12);
            for (int attempt = 0; attempt < delays.size(); attempt++) {
                long base = Math.min(10_000, 200L << attempt);
                assertThat(delays.get(attempt)).isBetween(base / 2, base);
            }
            firsts.add(delays.get(0));
        }
        assertThat(firsts.stream().distinct().count()).as("distinct first delays").isGreaterThan(50);
    }

    @Test
    void resetStartsAgainFromTheInitialDelay() {
        Backoff backoff = withRandom(0.0);
        delays(backoff, 5);
        backoff.reset();
        assertThat(delays(backoff, 2)).containsExactly(200L, 400L);
    }

    @Test
    void manyFailedAttemptsStayAtTheCap() {
        Backoff backoff = withRandom(0.0);
        delays(backoff, 1000);
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void rejectsNonsensicalSettings() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(1), Duration.ofSeconds(1), 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
