package dev.switchboard.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.scenario.SweepStep;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the sweep's windows become a peer's sustained throughput and the windows the headline quotes. */
class SweepFiguresTest {

    /** A window at {@code offered}/s, N = 1,000, delivering {@code share} of it with this p99. */
    private static SweepStep step(String target, double offered, double share, double p99, double clientCpu, int attempt,
                                  boolean halfLoad) {
        return new SweepStep(target, 1000, offered, share * offered, p99 / 3, p99, p99 * 1.5, 50, 30, clientCpu, 1, true, 0,
                attempt, halfLoad, 1.0, 50, 0.99, 80, 10);
    }

    private static SweepStep ok(String target, double offered) {
        return step(target, offered, 1.0, 10, 30, 1, false);
    }

    @Test
    void sustainedIsTheHighestRateSustainedWithEveryLowerOne() {
        SweepFigures figures = new SweepFigures(List.of(ok("a", 25_000), ok("a", 50_000),
                step("a", 100_000, 0.8, 900, 30, 1, false)));

        SweepFigures.Highest sustained = figures.sustained("a", 1000).orElseThrow();

        assertThat(sustained.rate()).isEqualTo(50_000);
        assertThat(sustained.neverFailed()).isFalse();
        assertThat(sustained.clientLimited()).isFalse();
        assertThat(sustained.step().orElseThrow().offered()).isEqualTo(50_000);
    }

    @Test
    void aSecondAttemptReplacesTheFirst() {
        SweepFigures figures = new SweepFigures(List.of(ok("a", 25_000), step("a", 50_000, 0.98, 60, 30, 1, false),
                step("a", 50_000, 1.0, 20, 30, 2, false), step("a", 100_000, 0.5, 2000, 30, 1, false)));

        assertThat(figures.sustained("a", 1000).orElseThrow().rate()).isEqualTo(50_000);
        assertThat(figures.ladder("a", 1000)).hasSize(3);
    }

    @Test
    void aClimbEndedWithTheLoadGeneratorAtItsLimitSaysSo() {
        SweepFigures figures = new SweepFigures(List.of(ok("raw", 100_000), step("raw", 300_000, 0.8, 400, 95, 1, false)));

        SweepFigures.Highest sustained = figures.sustained("raw", 1000).orElseThrow();

        assertThat(sustained.rate()).isEqualTo(100_000);
        assertThat(sustained.clientLimited()).isTrue();
        assertThat(figures.clientLimited()).extracting(SweepStep::offered).containsExactly(300_000.0);
    }

    @Test
    void aLadderWithoutFailureIsALowerBound() {
        SweepFigures figures = new SweepFigures(List.of(ok("a", 25_000), ok("a", 50_000)));

        assertThat(figures.sustained("a", 1000).orElseThrow().neverFailed()).isTrue();
    }

    @Test
    void noStepSustainedGivesZeroAndAFailureAboveTheFirstStepIsNotHidden() {
        SweepFigures figures = new SweepFigures(List.of(step("a", 25_000, 0.7, 800, 30, 1, false), ok("a", 50_000)));

        SweepFigures.Highest sustained = figures.sustained("a", 1000).orElseThrow();

        assertThat(sustained.rate()).isZero();
        assertThat(sustained.step()).isEmpty();
    }

    @Test
    void halfOfSustainedComesFromTheExtraWindowOrFromTheLadder() {
        SweepFigures extra = new SweepFigures(List.of(ok("a", 25_000), ok("a", 50_000), ok("a", 150_000),
                step("a", 200_000, 0.9, 300, 30, 1, false), step("a", 75_000, 1.0, 5, 30, 1, true)));
        SweepFigures onLadder = new SweepFigures(List.of(ok("b", 50_000), ok("b", 100_000),
                step("b", 150_000, 0.9, 300, 30, 1, false)));

        assertThat(extra.atHalfSustained("a", 1000).orElseThrow().halfLoad()).isTrue();
        assertThat(onLadder.atHalfSustained("b", 1000).orElseThrow().offered()).isEqualTo(50_000);
        assertThat(extra.ladder("a", 1000)).noneMatch(SweepStep::halfLoad);
    }

    @Test
    void keptUpIgnoresLatencyButNotLoss() {
        SweepFigures figures = new SweepFigures(List.of(step("a", 25_000, 1.0, 60, 30, 1, false),
                step("a", 50_000, 1.0, 80, 30, 1, false), step("a", 100_000, 0.7, 900, 30, 1, false)));

        assertThat(figures.sustained("a", 1000).orElseThrow().rate()).isZero();
        assertThat(figures.keptUp("a", 1000).orElseThrow().rate()).isEqualTo(50_000);
        assertThat(figures.keptUp("a", 1000).orElseThrow().neverFailed()).isFalse();
    }

    @Test
    void cpuMicrosPerDeliveryFromTheWindow() {
        // 50 % of a core for 100,000 deliveries/s: 5 µs each
        SweepStep step = new SweepStep("a", 1000, 100_000, 100_000, 1, 2, 3, 50, 30, 30, 1, true, 0, 1, false, 1, 50, 0.99, 80, 10);

        assertThat(step.serverMicrosPerDelivery()).isEqualTo(5.0);
        assertThat(step.serverKernelMicrosPerDelivery()).isEqualTo(3.0);
        assertThat(step.sustained()).isTrue();
        assertThat(step.clientLimited()).isFalse();
    }
}
