package dev.switchboard.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.scenario.Measurement;
import dev.switchboard.bench.scenario.Metric;
import dev.switchboard.bench.scenario.SweepPlan;
import dev.switchboard.bench.scenario.SweepStep;
import dev.switchboard.bench.scenario.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The headline table a reader of results.md sees first. */
class SweepSectionTest {

    private static final SweepPlan PLAN = new SweepPlan(List.of(25_000.0, 50_000.0, 100_000.0, 200_000.0, 300_000.0),
            1, 7, 3, 50_000, 50, 0.99, 10, true, true);

    /** A window at N = 1,000: {@code serverCpu} % of the core, all delivered unless {@code share} says less. */
    private static SweepStep step(String target, double offered, double share, double p99, double serverCpu, double clientCpu) {
        return new SweepStep(target, 1000, offered, share * offered, p99 / 4, p99, p99 * 2, serverCpu, serverCpu / 2, clientCpu, 1, true, 0,
                1, false, 0.5, 50, 0.99, 80, 10);
    }

    private static String render() {
        List<SweepStep> steps = List.of(
                step("raw", 25_000, 1, 5, 10, 20), step("raw", 50_000, 1, 6, 20, 30), step("raw", 100_000, 1, 8, 40, 50),
                step("raw", 200_000, 1, 12, 80, 75), step("raw", 300_000, 0.8, 900, 100, 97),
                step("switchboard", 25_000, 1, 9, 25, 20), step("switchboard", 50_000, 1, 20, 50, 30),
                step("switchboard", 100_000, 0.7, 1500, 100, 40));
        Summary summary = new Summary(List.of(new Measurement(1, "switchboard", Metric.FANOUT_DELIVERIES_PER_S, 1000, 606_000)));
        StringBuilder md = new StringBuilder();
        new SweepSection(new SweepFigures(steps), summary, List.of(Target.RAW, Target.SWITCHBOARD), PLAN, 1000).render(md);
        return md.toString();
    }

    @Test
    void sustainedThroughputPerPeerSaysWhenTheLoadGeneratorEndedTheClimb() {
        assertThat(render()).contains("| sustained deliveries/s, N = 1,000 | 200,000 ‡ | 50,000 |");
    }

    @Test
    void cpuPerDeliveryAtTheSustainedRateBesideRaws() {
        // raw: 80 % of a core for 200,000/s = 4 µs; switchboard: 50 % for 50,000/s = 10 µs, 2.5x raw's
        assertThat(render()).contains("| server CPU-µs per delivery at the sustained rate†, N = 1,000 | 4.00 | 10.0 |")
                .contains("| ... of which in the kernel | 2.00 | 5.00 |")
                .contains("| ... as a multiple of raw's | 1.00x | 2.50x |");
    }

    @Test
    void wherePNinetyNineAloneEndedTheClimbTheRateKeptUpWithIsReportedAndTheCostComesFromThere() {
        // N = 1,000 here, but the shape of N = 5,000: every step delivered in full, none within the p99 limit
        List<SweepStep> steps = List.of(step("raw", 25_000, 1, 5, 10, 20), step("raw", 50_000, 1, 6, 20, 30),
                step("switchboard", 25_000, 1, 60, 30, 20), step("switchboard", 50_000, 1, 70, 60, 30),
                step("switchboard", 100_000, 0.6, 2000, 100, 40));
        StringBuilder md = new StringBuilder();
        new SweepSection(new SweepFigures(steps), new Summary(List.of()), List.of(Target.RAW, Target.SWITCHBOARD), PLAN, 1000)
                .render(md);

        assertThat(md.toString()).contains("| sustained deliveries/s, N = 1,000 | ≥ 50,000 | 0 |")
                .contains("| kept up with (any latency), deliveries/s, N = 1,000 | ≥ 50,000 | 50,000 |")
                // switchboard: 60 % of a core for 50,000/s = 12 µs at the step kept up with, marked (k)
                .contains("| server CPU-µs per delivery at the sustained rate†, N = 1,000 | 4.00 | 12.0 (k) |")
                .contains("| ... as a multiple of raw's | 1.00x | 3.00x |")
                .contains("missed: p99 over 50 ms (kept up)");
    }

    @Test
    void latencyAtTheSameOfferedLoadForEveryPeerAndAtHalfOfEachOnesSustainedRate() {
        String md = render();
        assertThat(md).contains("| latency p99 at 50,000/s offered, N = 1,000 (ms) | 6.00 | 20.0 |")
                .contains("| latency p99 at 50 % of sustained, N = 1,000 (ms) | 8.00 | 9.00 |");
    }

    @Test
    void theSaturationMaximumStaysAsASecondaryRow() {
        assertThat(render()).contains("| saturation maximum, N = 1,000 (secondary: every queue full, latency in seconds) |  | 606,000 |");
    }

    @Test
    void windowsWithTheLoadGeneratorAtItsLimitAreListed() {
        assertThat(render()).contains("- raw, N = 1,000, 300,000/s offered: client CPU 97 %");
    }
}
