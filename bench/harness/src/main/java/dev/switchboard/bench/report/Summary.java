package dev.switchboard.bench.report;

import dev.switchboard.bench.scenario.Measurement;
import dev.switchboard.bench.scenario.Metric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measurements grouped for reporting: per row (metric, N, load) and target, the values of all
 * rounds; medians with min-max, and same-round ratios between targets.
 */
final class Summary {

    /** One row of the figures table. */
    record Row(Metric metric, int n, int loadPercent) {
    }

    private final List<Measurement> measurements;

    Summary(List<Measurement> measurements) {
        this.measurements = List.copyOf(measurements);
    }

    /** Rows in metric order, then N, then load. */
    List<Row> rows() {
        Set<Row> rows = new LinkedHashSet<>();
        measurements.stream()
                .sorted(Comparator.comparing(Measurement::metric).thenComparingInt(Measurement::n)
                        .thenComparingInt(Measurement::loadPercent))
                .forEach(m -> rows.add(new Row(m.metric(), m.n(), m.loadPercent())));
        return new ArrayList<>(rows);
    }

    /** Values of all rounds, by round. */
    Map<Integer, Double> byRound(Row row, String target) {
        Map<Integer, Double> values = new TreeMap<>();
        for (Measurement m : measurements) {
            if (m.metric() == row.metric() && m.n() == row.n() && m.loadPercent() == row.loadPercent()
                    && m.target().equals(target)) {
                values.put(m.round(), m.value());
            }
        }
        return values;
    }

    Optional<Stats> stats(Row row, String target) {
        return Stats.of(new ArrayList<>(byRound(row, target).values()));
    }

    /** Median over rounds of target / reference, each ratio taken within one round. */
    OptionalDouble ratio(Row row, String target, String reference) {
        Map<Integer, Double> mine = byRound(row, target);
        Map<Integer, Double> theirs = byRound(row, reference);
        List<Double> ratios = new ArrayList<>();
        mine.forEach((round, value) -> {
            Double other = theirs.get(round);
            if (other != null && other != 0) {
                ratios.add(value / other);
            }
        });
        return Stats.of(ratios).map(s -> OptionalDouble.of(s.median())).orElse(OptionalDouble.empty());
    }

    /** Median, minimum and maximum of some values. */
    record Stats(double median, double min, double max, int count) {
        static Optional<Stats> of(List<Double> values) {
            if (values.isEmpty()) {
                return Optional.empty();
            }
            List<Double> sorted = values.stream().sorted().toList();
            int size = sorted.size();
            double median = size % 2 == 1 ? sorted.get(size / 2) : (sorted.get(size / 2 - 1) + sorted.get(size / 2)) / 2;
            return Optional.of(new Stats(median, sorted.get(0), sorted.get(size - 1), size));
        }
    }
}
