package dev.switchboard.bench.report;

import dev.switchboard.bench.measure.Machine;
import dev.switchboard.bench.scenario.Check;
import dev.switchboard.bench.scenario.Metric;
import dev.switchboard.bench.scenario.Results;
import dev.switchboard.bench.scenario.SweepPlan;
import dev.switchboard.bench.scenario.Target;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/** {@code docs/benchmarks/results.md}: the machine, the figures, same-round ratios and every run's checks. */
public final class MarkdownReport {

    /** Figures worth a ratio to the reference peers. */
    private static final Set<Metric> RATIO_METRICS = EnumSet.of(Metric.FANOUT_DELIVERIES_PER_S,
            Metric.DELIVERIES_PER_CPU_S, Metric.HANDSHAKES_PER_S, Metric.HEAP_PER_SESSION, Metric.LATENCY_P99_MS);
    private static final List<String> REFERENCES = List.of("raw", "tyrus", "spring");

    private final Results results;
    private final Summary summary;
    private final Machine machine;
    private final boolean quick;
    private final int rounds;
    private final String roundPlan;
    private final Duration took;
    private final List<Target> targets;
    private final List<Target> sweepTargets;
    private final SweepPlan sweepPlan;

    /**
     * @param sweepTargets the rate sweep's peers, in its order (its section is left out when it did not run)
     * @param sweepPlan    the rate sweep's settings
     */
    public MarkdownReport(Results results, Machine machine, boolean quick, int rounds, String roundPlan, Duration took,
                          List<Target> targets, List<Target> sweepTargets, SweepPlan sweepPlan) {
        this.results = results;
        this.summary = new Summary(results.measurements());
        this.machine = machine;
        this.quick = quick;
        this.rounds = rounds;
        this.roundPlan = roundPlan;
        this.took = took;
        this.targets = targets;
        this.sweepTargets = sweepTargets;
        this.sweepPlan = sweepPlan;
    }

    public String render() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Written by `bench/run` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (").append(quick ? "**quick mode: a smoke run, the figures mean nothing**" : "full run")
                .append(", ").append(rounds).append(rounds == 1 ? " round" : " rounds")
                .append(", ").append(took.toMinutes()).append(" min ").append(took.toSecondsPart()).append(" s).\n\n");
        md.append("| machine | |\n|---|---|\n");
        md.append("| processors (nproc) | ").append(machine.processors()).append(" |\n");
        md.append("| CPU | ").append(machine.cpuModel()).append(" |\n");
        md.append("| memory | ").append(machine.memoryGb()).append(" GiB |\n");
        md.append("| JDK | ").append(machine.jdk()).append(" |\n");
        md.append("| OS | ").append(machine.os()).append(" |\n\n");
        md.append("Each peer runs alone, pinned to CPU 0 (`taskset -c 0`); the load generator runs on CPU 1. ")
                .append("Targets: raw = hand-written NIO, one `write()` per frame (the reference for per-frame cost), ")
                .append("tyrus = bare `@ServerEndpoint` on Tyrus/Grizzly, switchboard = the standalone jar (native protocol), ")
                .append("switchboard-stomp = the same ")
                .append("over STOMP, spring = Spring Boot STOMP simple broker, socketio = Socket.IO v4 on Node 20 (one room, ")
                .append("`io.to(room).emit`). See bench/README.md.")
                .append(roundPlan.isEmpty() ? "" : " " + roundPlan).append("\n\n");
        SweepFigures sweep = new SweepFigures(results.sweepSteps());
        if (!sweep.all().isEmpty()) {
            new SweepSection(sweep, summary, sweepTargets, sweepPlan, sweep.sizes().get(0)).render(md);
        }
        if (!results.measurements().isEmpty()) {
            targets(md);
            figures(md);
            ratios(md);
        }
        checks(md);
        return md.toString();
    }

    private void targets(StringBuilder md) {
        md.append("## Issue 6 targets\n\nSwitchboard's medians against the targets (server on one core).")
                .append(quick ? " A quick run uses other N and short windows: nothing here is comparable." : "")
                .append("\n\n| target | required | measured | result |\n|---|---|---|---|\n");
        for (IssueTargets.Verdict verdict : new IssueTargets(summary).verdicts()) {
            md.append("| ").append(verdict.target()).append(" | ").append(verdict.required()).append(" | ")
                    .append(verdict.measured()).append(" | ").append(verdict.result()).append(" |\n");
        }
        md.append("\n\"No collapse\" has no number in the issue; 0.8 of the maximum still delivered is this suite's reading.\n\n");
    }

    private void figures(StringBuilder md) {
        md.append("## Figures\n\nMedian over rounds, (min-max) when there were several rounds.\n\n");
        md.append("| metric | N | load |");
        targets.forEach(t -> md.append(' ').append(t.name()).append(" |"));
        md.append("\n|---|---:|---:|");
        targets.forEach(t -> md.append("---:|"));
        md.append('\n');
        for (Summary.Row row : summary.rows()) {
            md.append("| ").append(label(row.metric())).append(" | ").append(row.n()).append(" | ")
                    .append(row.loadPercent() == 0 ? "" : row.loadPercent() + " %").append(" |");
            for (Target target : targets) {
                Optional<Summary.Stats> stats = summary.stats(row, target.name());
                md.append(' ').append(stats.map(this::cell).orElse("")).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private void ratios(StringBuilder md) {
        md.append("## Ratios\n\nMedian over rounds of the ratio within the same round.\n\n");
        md.append("| metric | N | load | target |");
        REFERENCES.forEach(r -> md.append(" / ").append(r).append(" |"));
        md.append("\n|---|---:|---:|---|");
        REFERENCES.forEach(r -> md.append("---:|"));
        md.append('\n');
        for (Summary.Row row : summary.rows()) {
            if (!RATIO_METRICS.contains(row.metric())) {
                continue;
            }
            for (Target target : targets) {
                if (REFERENCES.contains(target.name()) || summary.stats(row, target.name()).isEmpty()) {
                    continue;
                }
                md.append("| ").append(label(row.metric())).append(" | ").append(row.n()).append(" | ")
                        .append(row.loadPercent() == 0 ? "" : row.loadPercent() + " %").append(" | ")
                        .append(target.name()).append(" |");
                for (String reference : REFERENCES) {
                    OptionalDouble ratio = summary.ratio(row, target.name(), reference);
                    md.append(' ').append(ratio.isPresent() ? String.format(Locale.ROOT, "%.2fx", ratio.getAsDouble()) : "")
                            .append(" |");
                }
                md.append('\n');
            }
        }
        md.append('\n');
    }

    private void checks(StringBuilder md) {
        md.append("## Checks\n\nA run counts only if the client stayed under ")
                .append((int) Check.CLIENT_CPU_LIMIT)
                .append(" % CPU, every connection opened, none closed unexpectedly and no subscriber saw a ")
                .append("sequence gap, a reordering or an error frame.\n\n");
        md.append("| round | target | scenario | N | client CPU | failed connections | unexpected closes | gaps | reorders | error frames | result |\n");
        md.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Check c : results.checks()) {
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %.0f %% | %d | %d | %d | %d | %d | %s |%n",
                    c.round(), c.target(), c.scenario(), c.n(), c.clientCpuPercent(), c.failedConnections(),
                    c.unexpectedCloses(), c.gaps(), c.reorders(), c.errorFrames(), c.ok() ? "ok" : "**FAILED**"));
        }
        boolean anyProblem = results.checks().stream().anyMatch(c -> !c.problems().isEmpty());
        if (anyProblem) {
            md.append("\nProblems seen (first few per run):\n\n");
            for (Check c : results.checks()) {
                for (String problem : c.problems().stream().limit(5).toList()) {
                    md.append("- round ").append(c.round()).append(' ').append(c.target()).append(' ')
                            .append(c.scenario()).append(" N=").append(c.n()).append(": ")
                            .append(problem.replace('|', '/').replace('\n', ' ')).append('\n');
                }
            }
        }
    }

    private String cell(Summary.Stats stats) {
        if (stats.count() == 1) {
            return number(stats.median());
        }
        return number(stats.median()) + " (" + number(stats.min()) + "-" + number(stats.max()) + ")";
    }

    private static String label(Metric metric) {
        return metric.label + (metric.unit.isEmpty() ? "" : " (" + metric.unit + ")");
    }

    static String number(double value) {
        if (Math.abs(value) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (Math.abs(value) >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
