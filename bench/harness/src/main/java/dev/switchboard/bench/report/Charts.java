package dev.switchboard.bench.report;

import dev.switchboard.bench.scenario.Metric;
import dev.switchboard.bench.scenario.Results;
import dev.switchboard.bench.scenario.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * PNG charts of the medians (XChart): fan-out deliveries/s by N, latency percentiles by target,
 * heap per idle session and handshakes/s by target; and the rate sweep's latency against offered
 * load ({@link SweepChart}). Rendered headless.
 */
public final class Charts {

    private final Summary summary;
    private final List<Target> targets;
    private final SweepFigures sweep;
    private final List<Target> sweepTargets;

    public Charts(Results results, List<Target> targets, List<Target> sweepTargets) {
        System.setProperty("java.awt.headless", "true");
        this.summary = new Summary(results.measurements());
        this.targets = targets;
        this.sweep = new SweepFigures(results.sweepSteps());
        this.sweepTargets = sweepTargets;
    }

    /** Writes the charts that have data; returns their files. */
    public List<Path> write(Path directory) throws IOException {
        List<Path> written = new ArrayList<>();
        byN(Metric.FANOUT_DELIVERIES_PER_S, "Topic fan-out, deliveries/s (server on one core)", "subscribers",
                directory.resolve("fanout-deliveries.png"), written);
        byN(Metric.DELIVERIES_PER_CPU_S, "Deliveries per server CPU-second", "subscribers",
                directory.resolve("fanout-per-cpu-second.png"), written);
        latency(directory.resolve("fanout-latency.png"), written);
        byN(Metric.HEAP_PER_SESSION, "Heap per idle session (KB)", "sessions",
                directory.resolve("heap-per-session.png"), written);
        byN(Metric.HANDSHAKES_PER_S, "Handshakes/s with JWT", "connections",
                directory.resolve("handshakes.png"), written);
        written.addAll(new SweepChart(sweep, sweepTargets).write(directory));
        return written;
    }

    /** One series per target, one category per N. */
    private void byN(Metric metric, String title, String axis, Path file, List<Path> written) throws IOException {
        TreeSet<Integer> sizes = new TreeSet<>();
        summary.rows().stream().filter(r -> r.metric() == metric && r.loadPercent() == 0).forEach(r -> sizes.add(r.n()));
        if (sizes.isEmpty()) {
            return;
        }
        CategoryChart chart = chart(title, axis, metric.unit.isEmpty() ? metric.label : metric.unit);
        for (Target target : targets) {
            List<String> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int n : sizes) {
                xs.add(Integer.toString(n));
                ys.add(median(new Summary.Row(metric, n, 0), target.name()).orElse(0.0));
            }
            if (ys.stream().anyMatch(y -> y > 0)) {
                chart.addSeries(target.name(), xs, ys);
            }
        }
        save(chart, file, written);
    }

    /** p50 / p99 / p99.9 per target at the smallest N and the middle load measured. */
    private void latency(Path file, List<Path> written) throws IOException {
        List<Summary.Row> rows = summary.rows().stream().filter(r -> r.metric() == Metric.LATENCY_P99_MS).toList();
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.stream().mapToInt(Summary.Row::n).min().orElseThrow();
        List<Integer> loads = rows.stream().filter(r -> r.n() == n).map(Summary.Row::loadPercent).sorted().toList();
        int load = loads.get(loads.size() / 2);
        CategoryChart chart = chart("Fan-out latency at " + load + " % of each peer's maximum, N = " + n, "target", "ms");
        List<String> names = targets.stream().map(Target::name).toList();
        for (Metric metric : List.of(Metric.LATENCY_P50_MS, Metric.LATENCY_P99_MS, Metric.LATENCY_P999_MS)) {
            List<Double> ys = new ArrayList<>();
            for (String name : names) {
                ys.add(median(new Summary.Row(metric, n, load), name).orElse(0.0));
            }
            chart.addSeries(metric.label.replace("latency ", ""), names, ys);
        }
        save(chart, file, written);
    }

    private Optional<Double> median(Summary.Row row, String target) {
        return summary.stats(row, target).map(Summary.Stats::median);
    }

    private static CategoryChart chart(String title, String xAxis, String yAxis) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(title)
                .xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    private static void save(CategoryChart chart, Path file, List<Path> written) throws IOException {
        if (chart.getSeriesMap().isEmpty()) {
            return;
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        written.add(file);
    }
}
