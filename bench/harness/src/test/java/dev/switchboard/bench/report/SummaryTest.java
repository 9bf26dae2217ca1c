package dev.switchboard.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.bench.scenario.Measurement;
import dev.switchboard.bench.scenario.Metric;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static final Summary.Row FANOUT = new Summary.Row(Metric.FANOUT_DELIVERIES_PER_S, 1000, 0);

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Summary.Stats.of(List.of(4.0, 1.0, 3.0, 2.0)).orElseThrow())
                .isEqualTo(new Summary.Stats(2.5, 1.0, 4.0, 4));
    }

    @Test
    void ratiosAreTakenWithinARoundThenTheirMedian() {
        Summary summary = new Summary(List.of(
                measurement(1, "switchboard", 100), measurement(1, "raw", 200),
                measurement(2, "switchboard", 150), measurement(2, "raw", 150),
                measurement(3, "switchboard", 90), measurement(3, "raw", 100)));
        // per round 0.5, 1.0 and 0.9: median 0.9; the ratio of the medians (100 / 150) would mix rounds
        assertThat(summary.ratio(FANOUT, "switchboard", "raw").getAsDouble()).isEqualTo(0.9);
    }

    @Test
    void aRoundWithoutTheReferenceIsLeftOut() {
        Summary summary = new Summary(List.of(
                measurement(1, "switchboard", 100), measurement(2, "switchboard", 100), measurement(2, "raw", 400)));
        assertThat(summary.ratio(FANOUT, "switchboard", "raw").getAsDouble()).isEqualTo(0.25);
    }

    private static Measurement measurement(int round, String target, double value) {
        return new Measurement(round, target, Metric.FANOUT_DELIVERIES_PER_S, 1000, value);
    }
}
