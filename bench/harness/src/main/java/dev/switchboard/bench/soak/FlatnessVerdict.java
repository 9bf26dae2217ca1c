package dev.switchboard.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * "Flat after warm-up": the samples after the idle one are cut in thirds; the first third is
 * warm-up (JIT, pools and caches filling, the history of the first topics reaching its TTL), and a
 * figure is flat when the median of the last third is at most the median of the second third
 * times (1 + tolerance), plus a small absolute slack for figures that are small or noisy. Only
 * growth fails: a figure that falls is flat. Medians, not means, so one GC-paused interval does not
 * decide. The least-squares slope over the second and last thirds is reported alongside, per
 * minute, as the trend a leak would show.
 */
final class FlatnessVerdict {

    /** One figure's verdict. */
    record Figure(String name, String unit, double secondThird, double lastThird, double limit, double slopePerMinute,
                  boolean flat) {
        String describe() {
            return String.format(Locale.ROOT, "%s: median %.1f → %.1f %s (limit %.1f), trend %+.2f %s/min: %s",
                    name, secondThird, lastThird, unit, limit, slopePerMinute, unit, flat ? "flat" : "GROWS");
        }
    }

    /** A figure to judge: name, unit, how to read it, relative tolerance, absolute slack. */
    record Rule(String name, String unit, ToDoubleFunction<SoakSample> value, double tolerance, double slack) {
    }

    static final List<Rule> RULES = List.of(
            new Rule("heap after GC", "MB", SoakSample::heapMb, 0.10, 2.0),
            new Rule("threads", "", s -> s.threads(), 0.10, 2.0),
            new Rule("open fds", "", s -> s.fds(), 0.10, 10.0),
            new Rule("p99 latency", "ms", SoakSample::p99Ms, 0.20, 2.0));

    private FlatnessVerdict() {
    }

    /** Null when there are fewer than 6 samples after the idle one (two per third at least). */
    static List<Figure> judge(List<SoakSample> samples) {
        List<SoakSample> running = samples.stream().filter(s -> s.seconds() > 0).toList();
        if (running.size() < 6) {
            return null;
        }
        int third = running.size() / 3;
        List<SoakSample> second = running.subList(third, 2 * third);
        List<SoakSample> last = running.subList(2 * third, running.size());
        List<SoakSample> afterWarmUp = running.subList(third, running.size());
        List<Figure> figures = new ArrayList<>();
        for (Rule rule : RULES) {
            double before = median(second, rule.value());
            double after = median(last, rule.value());
            double limit = before * (1 + rule.tolerance()) + rule.slack();
            figures.add(new Figure(rule.name(), rule.unit(), before, after, limit, slopePerMinute(afterWarmUp, rule.value()),
                    after <= limit));
        }
        return figures;
    }

    static double median(List<SoakSample> samples, ToDoubleFunction<SoakSample> value) {
        double[] values = samples.stream().mapToDouble(value).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    static double slopePerMinute(List<SoakSample> samples, ToDoubleFunction<SoakSample> value) {
        double n = samples.size();
        double meanX = samples.stream().mapToDouble(SoakSample::seconds).sum() / n;
        double meanY = samples.stream().mapToDouble(value).sum() / n;
        double covariance = 0;
        double variance = 0;
        for (SoakSample sample : samples) {
            double dx = sample.seconds() - meanX;
            covariance += dx * (value.applyAsDouble(sample) - meanY);
            variance += dx * dx;
        }
        return variance == 0 ? 0 : covariance / variance * 60;
    }
}
