package dev.switchboard.bench.report;

import dev.switchboard.bench.scenario.Metric;
import dev.switchboard.bench.scenario.SweepPlan;
import dev.switchboard.bench.scenario.SweepStep;
import dev.switchboard.bench.scenario.Target;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The report's headline: per peer, the sustained throughput of the open-loop rate sweep at each N,
 * latency at one offered load that is the same for every peer and at 50 % of each peer's own
 * sustained rate, server CPU-µs per delivery at the sustained rate beside the raw peer's, and the
 * saturation maximum of the fan-out scenario as a secondary row. Then every window, and the windows
 * where the load generator, not the peer, was the limit.
 */
final class SweepSection {

    private static final String RAW = "raw";

    private final SweepFigures figures;
    private final Summary summary;
    private final List<Target> targets;
    private final SweepPlan plan;
    private final int fixedN;

    /**
     * @param fixedN the N of the fixed-load comparison (the smallest the sweep ran)
     */
    SweepSection(SweepFigures figures, Summary summary, List<Target> targets, SweepPlan plan, int fixedN) {
        this.figures = figures;
        this.summary = summary;
        this.targets = targets;
        this.plan = plan;
        this.fixedN = fixedN;
    }

    void render(StringBuilder md) {
        md.append("## Sustained throughput and latency (open-loop rate sweep)\n\n")
                .append("Each peer on one core, a fixed publish rate to one topic with N subscribers, each step a ")
                .append(number(plan.seconds())).append(" s window after ").append(number(plan.warmupSeconds()))
                .append(" s of the same load; latency from each publication's intended send time (in its payload) to its ")
                .append("arrival. **Sustained**: everything offered delivered within the window (at least ")
                .append(Math.round(100 * plan.minShare())).append(" %, edge effects aside) with p99 at most ")
                .append(number(plan.p99LimitMillis())).append(" ms, drained afterwards, no gap, reorder or close; the ")
                .append("sustained throughput is the highest offered rate sustained with every lower one. **Kept up with**: ")
                .append("the same at any p99; it differs where one publication's fan-out to N sockets alone takes longer than ")
                .append("the p99 limit. Server CPU from `/proc/<pid>/stat` of the peer process over the window; its kernel part ")
                .append("(stime) is the socket writes and, on loopback, the receiving side's TCP work too, which the kernel ")
                .append("charges to the writer: a peer that writes once per delivery cannot go below raw's kernel part.\n\n");
        md.append("| figure |");
        targets.forEach(t -> md.append(' ').append(t.name()).append(" |"));
        md.append("\n|---|");
        targets.forEach(t -> md.append("---:|"));
        md.append('\n');
        for (int n : figures.sizes()) {
            row(md, "sustained deliveries/s, N = " + count(n), t -> highestCell(figures.sustained(t, n)));
        }
        for (int n : figures.sizes()) {
            row(md, "kept up with (any latency), deliveries/s, N = " + count(n), t -> highestCell(figures.keptUp(t, n)));
        }
        for (int n : figures.sizes()) {
            row(md, "server CPU-µs per delivery at the sustained rate†, N = " + count(n),
                    t -> costStep(t, n).map(s -> number(s.serverMicrosPerDelivery()) + marks(s)).orElse(""));
            row(md, "... of which in the kernel", t -> costStep(t, n).map(s -> number(s.serverKernelMicrosPerDelivery())).orElse(""));
            row(md, "... as a multiple of raw's", t -> costRatioCell(t, n));
        }
        String fixed = count(plan.fixedRate()) + "/s offered, N = " + count(fixedN);
        row(md, "latency p50 at " + fixed + " (ms)", t -> latencyCell(figures.at(t, fixedN, plan.fixedRate()), SweepStep::p50));
        row(md, "latency p99 at " + fixed + " (ms)", t -> latencyCell(figures.at(t, fixedN, plan.fixedRate()), SweepStep::p99));
        row(md, "latency p99.9 at " + fixed + " (ms)", t -> latencyCell(figures.at(t, fixedN, plan.fixedRate()), SweepStep::p999));
        row(md, "server CPU at " + fixed + " (% of the core)", t -> figures.at(t, fixedN, plan.fixedRate())
                .map(s -> number(s.serverCpu())).orElse(""));
        for (int n : figures.sizes()) {
            String half = "at 50 % of sustained, N = " + count(n);
            row(md, "latency p50 " + half + " (ms)", t -> latencyCell(figures.atHalfSustained(t, n), SweepStep::p50));
            row(md, "latency p99 " + half + " (ms)", t -> latencyCell(figures.atHalfSustained(t, n), SweepStep::p99));
            row(md, "latency p99.9 " + half + " (ms)", t -> latencyCell(figures.atHalfSustained(t, n), SweepStep::p999));
        }
        for (int n : figures.sizes()) {
            row(md, "saturation maximum, N = " + count(n) + " (secondary: every queue full, latency in seconds)",
                    t -> summary.stats(new Summary.Row(Metric.FANOUT_DELIVERIES_PER_S, n, 0), t)
                            .map(s -> number(s.median())).orElse(""));
        }
        md.append("\n≥: every step of the ladder was sustained, the peer may sustain more. ‡: the load generator was at its ")
                .append("limit in the step that ended the climb (or in the window the figure comes from): the peer's own ")
                .append("figure may be better. *: that window was not sustained (see every window below). †: where no step ")
                .append("was sustained, the cost at the highest rate kept up with, marked (k). The saturation ")
                .append("maximum comes from the fan-out scenario (empty when it did not run).\n\n");
        md.append("Latency against offered load: ");
        figures.sizes().forEach(n -> md.append("[N = ").append(count(n)).append("](").append(SweepChart.fileName(n)).append(") "));
        md.append("\n\n");
        everyWindow(md);
        clientLimits(md);
    }

    private void row(StringBuilder md, String label, Function<String, String> cell) {
        StringBuilder line = new StringBuilder("| ").append(label).append(" |");
        boolean any = false;
        for (Target target : targets) {
            String value = cell.apply(target.name());
            any |= !value.isEmpty();
            line.append(' ').append(value).append(" |");
        }
        if (any) {
            md.append(line).append('\n');
        }
    }

    private static String highestCell(Optional<SweepFigures.Highest> highest) {
        return highest.map(h -> (h.neverFailed() ? "≥ " : "") + count(h.rate()) + (h.clientLimited() ? " ‡" : "")).orElse("");
    }

    /** The window whose cost the headline quotes: the sustained step, else the highest step kept up with. */
    private Optional<SweepStep> costStep(String target, int n) {
        Optional<SweepStep> sustained = figures.sustained(target, n).flatMap(SweepFigures.Highest::step);
        return sustained.isPresent() ? sustained : figures.keptUp(target, n).flatMap(SweepFigures.Highest::step);
    }

    private static String marks(SweepStep step) {
        return (step.sustained() ? "" : " (k)") + (step.clientLimited() ? " ‡" : "");
    }

    private String costRatioCell(String target, int n) {
        Optional<Double> mine = costStep(target, n).map(SweepStep::serverMicrosPerDelivery);
        Optional<Double> raw = costStep(RAW, n).map(SweepStep::serverMicrosPerDelivery);
        if (mine.isEmpty() || raw.isEmpty() || !(raw.get() > 0)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2fx", mine.get() / raw.get());
    }

    private static String latencyCell(Optional<SweepStep> step, Function<SweepStep, Double> value) {
        return step.map(s -> number(value.apply(s)) + (s.sustained() ? "" : " *") + (s.clientLimited() ? " ‡" : "")).orElse("");
    }

    private void everyWindow(StringBuilder md) {
        md.append("### Every window of the sweep\n\n")
                .append("| peer | N | offered/s | delivered | deliveries/s | p50 ms | p99 ms | p99.9 ms | server CPU | CPU-µs/delivery ")
                .append("| of which kernel | client CPU | publisher lag p99 ms | load avg | result |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (SweepStep s : figures.all()) {
            String result = s.sustained() ? "sustained" : "missed: " + s.missedOn() + (s.keptUp() ? " (kept up)" : "");
            if (s.halfLoad()) {
                result += " (50 % of sustained)";
            }
            if (s.attempt() > 1) {
                result += " (2nd try)";
            }
            if (s.clientLimited()) {
                result += "; **load generator at its limit**";
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f %% | %s | %s | %s | %s | %.0f %% | %s | %s | %.0f %% | %s | %s | %s |%n",
                    s.target(), count(s.n()), count(s.offered()), 100 * s.share(), count(s.delivered()), number(s.p50()),
                    number(s.p99()), number(s.p999()), s.serverCpu(), number(s.serverMicrosPerDelivery()),
                    number(s.serverKernelMicrosPerDelivery()), s.clientCpu(),
                    number(s.sendLagP99()), number(s.load1()), result));
        }
        md.append('\n');
    }

    private void clientLimits(StringBuilder md) {
        md.append("### Where the load generator is the limit\n\n")
                .append("The load generator has one core (one selector thread reads every subscriber). A window counts as ")
                .append("limited by it when the harness process used at least ")
                .append(Math.round(figures.all().isEmpty() ? 80 : figures.all().get(0).clientCpuLimit()))
                .append(" % of that core, or when its publisher wrote publications more than ")
                .append(number(plan.clientLagLimitMillis()))
                .append(" ms late (p99): its thread was busy reading, so its own lag is in the latency. A peer whose climb ")
                .append("ended in such a window may sustain more than its figure.\n\n");
        List<SweepStep> limited = figures.clientLimited();
        if (limited.isEmpty()) {
            md.append("None: in every window the load generator had CPU to spare.\n\n");
            return;
        }
        for (SweepStep s : limited) {
            // Late with CPU to spare: the thread waited for its core, which another process had (a shared machine).
            String why = s.clientCpu() < s.clientCpuLimit() ? "; its core was busy with another process" : "";
            md.append(String.format(Locale.ROOT, "- %s, N = %s, %s/s offered: client CPU %.0f %%, publisher lag p99 %s ms%s%s%n",
                    s.target(), count(s.n()), count(s.offered()), s.clientCpu(), number(s.sendLagP99()), why,
                    s.sustained() ? " (sustained anyway)" : ""));
        }
        md.append('\n');
    }

    private static String count(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "-" : MarkdownReport.number(value);
    }
}
