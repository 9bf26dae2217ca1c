package dev.switchboard.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlatnessVerdictTest {

    @Test
    void aHeapThatKeepsGrowingAfterWarmUpIsNotFlat() {
        List<SoakSample> samples = samples(9, i -> 100.0 + 10 * i, i -> 20.0);
        List<FlatnessVerdict.Figure> figures = FlatnessVerdict.judge(samples);
        FlatnessVerdict.Figure heap = figures.get(0);
        // thirds of 9 running samples: 130, 140, 150 then 160, 170, 180 (the warm-up is 100-120)
        assertThat(heap.secondThird()).isEqualTo(140.0);
        assertThat(heap.lastThird()).isEqualTo(170.0);
        assertThat(heap.limit()).isEqualTo(140.0 * 1.1 + 2.0);
        assertThat(heap.flat()).isFalse();
        assertThat(heap.slopePerMinute()).isEqualTo(20.0, org.assertj.core.data.Offset.offset(1e-9)); // 10 MB per 30 s
    }

    @Test
    void aFigureWithinToleranceOrFallingIsFlatAndWarmUpDoesNotCount() {
        // a big warm-up climb, then noise within 10 %; p99 falls after warm-up
        List<SoakSample> samples = samples(9, i -> i < 3 ? 10.0 * (i + 1) : (i % 2 == 0 ? 100.0 : 104.0),
                i -> i < 6 ? 50.0 : 30.0);
        assertThat(FlatnessVerdict.judge(samples)).allMatch(FlatnessVerdict.Figure::flat);
    }

    @Test
    void tooFewSamplesAreNotJudged() {
        assertThat(FlatnessVerdict.judge(samples(5, i -> 1.0, i -> 1.0))).isNull();
    }

    @Test
    void theIdleSampleIsLeftOut() {
        List<SoakSample> samples = new ArrayList<>(samples(6, i -> 50.0, i -> 5.0));
        samples.add(0, sample(0, 1.0, 1.0));
        assertThat(FlatnessVerdict.judge(samples).get(0).secondThird()).isEqualTo(50.0);
    }

    private static List<SoakSample> samples(int count, java.util.function.IntToDoubleFunction heap,
                                            java.util.function.IntToDoubleFunction p99) {
        List<SoakSample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(sample(30.0 * (i + 1), heap.applyAsDouble(i), p99.applyAsDouble(i)));
        }
        return samples;
    }

    private static SoakSample sample(double seconds, double heapMb, double p99) {
        return new SoakSample(seconds, heapMb, 100, 400, 300, 20, 10, 2000, 20, 1000, 1, p99, p99, p99, 0);
    }
}
