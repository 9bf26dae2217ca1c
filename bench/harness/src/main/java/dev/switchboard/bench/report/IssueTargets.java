package dev.switchboard.bench.report;

import dev.switchboard.bench.scenario.Metric;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Issue 6's targets, checked against the medians of a run. Each target names the N it is
 * defined at; when the run did not use that N (a quick run), the closest N measured is used and
 * the row says so, so a smoke run still shows every row, marked as not comparable.
 */
final class IssueTargets {

    /** One row: what the issue asks, what was measured, and whether it holds. */
    record Verdict(String target, String required, String measured, String result) {
    }

    private final Summary summary;

    IssueTargets(Summary summary) {
        this.summary = summary;
    }

    List<Verdict> verdicts() {
        List<Verdict> verdicts = new ArrayList<>();
        atLeast(verdicts, "topic fan-out deliveries/s", Metric.FANOUT_DELIVERIES_PER_S, 5000, 0, "switchboard", 150_000);
        ratioAtLeast(verdicts, "fan-out vs the raw ceiling", Metric.FANOUT_DELIVERIES_PER_S, 5000, 0, "switchboard", "raw", 0.5);
        atLeast(verdicts, "topic fan-out deliveries/s", Metric.FANOUT_DELIVERIES_PER_S, 1000, 0, "switchboard", 240_000);
        ratioAtLeast(verdicts, "deliveries per server CPU-second, STOMP vs Spring", Metric.DELIVERIES_PER_CPU_S, 5000, 0,
                "switchboard-stomp", "spring", 3.0);
        atLeast(verdicts, "no collapse: STOMP deliveries/s at 1.5x the maximum, share of the maximum",
                Metric.OVERLOAD_DELIVERED_SHARE, 5000, 150, "switchboard-stomp", 0.8);
        atMost(verdicts, "latency p50 at 50 % load", Metric.LATENCY_P50_MS, 1000, 50, "switchboard", 5);
        atMost(verdicts, "latency p99 at 50 % load", Metric.LATENCY_P99_MS, 1000, 50, "switchboard", 15);
        atMost(verdicts, "latency p99.9 at 50 % load", Metric.LATENCY_P999_MS, 1000, 50, "switchboard", 30);
        p99AtFiveThousand(verdicts);
        atMost(verdicts, "heap per idle session", Metric.HEAP_PER_SESSION, 5000, 0, "switchboard", 20);
        atLeast(verdicts, "handshakes/s with JWT", Metric.HANDSHAKES_PER_S, 5000, 0, "switchboard", 1500);
        ratioAtLeast(verdicts, "STOMP / native deliveries", Metric.FANOUT_DELIVERIES_PER_S, 5000, 0,
                "switchboard-stomp", "switchboard", 0.8);
        atMost(verdicts, "healthy p99 with 5 % slow consumers / baseline", Metric.SLOW_P99_VS_BASELINE, 5000, 50,
                "switchboard", 1.25);
        return verdicts;
    }

    /** p99 at N = 5k <= 1.3 x N / max_rate + 10 ms, max_rate being the same run's maximum. */
    private void p99AtFiveThousand(List<Verdict> verdicts) {
        Optional<Summary.Row> row = closest(Metric.LATENCY_P99_MS, 5000, 50, "switchboard");
        Optional<Summary.Row> maxRow = row.flatMap(r -> closest(Metric.FANOUT_DELIVERIES_PER_S, r.n(), 0, "switchboard"));
        if (row.isEmpty() || maxRow.isEmpty()) {
            verdicts.add(missing("latency p99 at 50 % load, N = 5000", "<= 1.3 x N / max rate + 10 ms"));
            return;
        }
        int n = row.get().n();
        double max = median(maxRow.get(), "switchboard");
        double limit = 1.3 * n / max * 1000 + 10;
        double p99 = median(row.get(), "switchboard");
        verdicts.add(verdict("latency p99 at 50 % load", 5000, n,
                String.format(Locale.ROOT, "<= 1.3 x N / max rate + 10 ms = %s ms", MarkdownReport.number(limit)),
                MarkdownReport.number(p99) + " ms", p99 <= limit));
    }

    private void atLeast(List<Verdict> verdicts, String what, Metric metric, int n, int load, String target, double limit) {
        compare(verdicts, what, metric, n, load, target, limit, true);
    }

    private void atMost(List<Verdict> verdicts, String what, Metric metric, int n, int load, String target, double limit) {
        compare(verdicts, what, metric, n, load, target, limit, false);
    }

    private void compare(List<Verdict> verdicts, String what, Metric metric, int n, int load, String target, double limit,
                         boolean atLeast) {
        String required = (atLeast ? ">= " : "<= ") + MarkdownReport.number(limit) + unit(metric);
        Optional<Summary.Row> row = closest(metric, n, load, target);
        if (row.isEmpty()) {
            verdicts.add(missing(what + " (" + target + "), N = " + n, required));
            return;
        }
        double value = median(row.get(), target);
        verdicts.add(verdict(what + " (" + target + ")", n, row.get().n(), required,
                MarkdownReport.number(value) + unit(metric), atLeast ? value >= limit : value <= limit));
    }

    private void ratioAtLeast(List<Verdict> verdicts, String what, Metric metric, int n, int load, String target,
                              String reference, double limit) {
        String required = ">= " + limit + "x (same round)";
        Optional<Summary.Row> row = closest(metric, n, load, target);
        OptionalDouble ratio = row.map(r -> summary.ratio(r, target, reference)).orElse(OptionalDouble.empty());
        if (row.isEmpty() || ratio.isEmpty()) {
            verdicts.add(missing(what + ", N = " + n, required));
            return;
        }
        verdicts.add(verdict(what, n, row.get().n(), required,
                String.format(Locale.ROOT, "%.2fx", ratio.getAsDouble()), ratio.getAsDouble() >= limit));
    }

    private Optional<Summary.Row> closest(Metric metric, int n, int load, String target) {
        return summary.rows().stream()
                .filter(r -> r.metric() == metric && r.loadPercent() == load && summary.stats(r, target).isPresent())
                .min(Comparator.comparingInt(r -> Math.abs(r.n() - n)));
    }

    private double median(Summary.Row row, String target) {
        return summary.stats(row, target).orElseThrow().median();
    }

    private static Verdict verdict(String what, int wantedN, int measuredN, String required, String measured, boolean met) {
        if (wantedN != measuredN) {
            return new Verdict(what + ", N = " + wantedN, required, measured + " at N = " + measuredN,
                    "not comparable (" + (met ? "would meet" : "would miss") + ")");
        }
        return new Verdict(what + ", N = " + wantedN, required, measured, met ? "met" : "**missed**");
    }

    private static Verdict missing(String what, String required) {
        return new Verdict(what, required, "", "not measured");
    }

    private static String unit(Metric metric) {
        return switch (metric.unit) {
            case "" -> "";
            case "x" -> "x";
            case "%" -> " %";
            default -> " " + metric.unit;
        };
    }
}
