package dev.switchboard.bench;

import dev.switchboard.bench.measure.Machine;
import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.report.Charts;
import dev.switchboard.bench.report.MarkdownReport;
import dev.switchboard.bench.scenario.Check;
import dev.switchboard.bench.scenario.FanoutScenario;
import dev.switchboard.bench.scenario.FanoutPlan;
import dev.switchboard.bench.scenario.RateSweep;
import dev.switchboard.bench.scenario.SweepStep;
import dev.switchboard.bench.scenario.Results;
import dev.switchboard.bench.scenario.ScenarioSettings;
import dev.switchboard.bench.scenario.Target;
import dev.switchboard.bench.scenario.Tokens;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs the benchmark suite end to end and writes {@code docs/benchmarks/results.md} and its
 * charts. Each round runs every N against every target in turn (A B C D E, then again), each
 * run on a freshly started peer ({@link FanoutScenario}: handshakes, idle capacity, fan-out
 * maximum, latency, slow consumers), so slow drift of the machine hits every target alike.
 * The report goes to stdout as well: this is a command-line tool, its output is its interface.
 *
 * <p>Exit status: 0 if every run passed its checks, 2 if some did not (the report says which),
 * 1 if the suite itself failed.
 */
public final class Suite {

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        SuiteConfig config = SuiteConfig.fromSystemProperties();
        // Fresh per run: nothing outside this process needs to know them.
        String secret = "bench-secret-" + UUID.randomUUID() + "-" + UUID.randomUUID();
        String apiKey = "bench-api-key-" + UUID.randomUUID();
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < config.sourceAddresses(); i++) {
            sources.add(InetAddress.getByName("127.0.0." + (2 + i)));
        }
        Path logs = config.repositoryRoot().resolve("bench/target/peer-logs");
        PeerLauncher launcher = new PeerLauncher(Path.of(System.getProperty("java.home"), "bin", "java"),
                config.peerJvmOptions(), config.serverCpus(), config.harnessClassPath(), config.tyrusClassPath(),
                config.springClassPath(), config.switchboardJar(), secret, apiKey, logs, config.node(), config.socketIoPeer());
        ScenarioSettings settings = new ScenarioSettings(launcher, new Tokens(secret), apiKey, sources,
                config.measureSeconds(), config.warmupSeconds(), config.maxInFlight(), config.handshakeWarmup(), config.window(),
                config.settleSeconds());

        Results results = new Results();
        FanoutScenario fanout = new FanoutScenario(settings, results);
        Instant start = Instant.now();
        out.printf("Switchboard benchmark suite (%s): %s, peer logs in %s%n", config.quick() ? "quick" : "full",
                (config.fanout() ? config.rounds() + " round(s) of " + config.targets() : "")
                        + (config.fanout() && config.sweep() ? ", then " : "")
                        + (config.sweep() ? "the rate sweep of " + config.sweepTargets() + " at N = " + config.sweepSizes() : ""),
                logs);
        int smallest = config.fanoutSizes().stream().mapToInt(Integer::intValue).min().orElse(0);
        for (int r = 1; config.fanout() && r <= config.rounds(); r++) {
            int round = r;
            for (int n : config.fanoutSizes()) {
                if (round > 1 && config.firstRoundSizes().contains(n)) {
                    continue;
                }
                // Latency at several loads, HTTP, churn, overload and slow consumers only at the
                // smallest N, in the first detailRounds: the largest runs take the longest, the
                // targets ask for these figures at the smallest N, and the whole suite must stay
                // within 15 minutes (issue 6).
                FanoutPlan plan = n == smallest && round <= config.detailRounds()
                        ? new FanoutPlan(config.searchSteps(), config.searchStep(), config.latencyFractions(), true, config.pushRate(), config.churnFraction(),
                                config.churnLifetimeMillis(), config.overload(), config.slowFraction())
                        : new FanoutPlan(config.searchSteps(), config.searchStep(), config.largeFractions(), false, 0, 0, 0, 0, 0);
                for (Target target : config.targets()) {
                    run(out, results, round, target, FanoutScenario.NAME, n, () -> fanout.run(round, target, n, plan));
                }
            }
        }
        if (config.sweep()) {
            RateSweep sweep = new RateSweep(settings, config.sweepPlan(), results);
            for (int n : config.sweepSizes()) {
                for (Target target : config.sweepTargets()) {
                    sweep(out, results, target, n, sweep);
                }
            }
        }
        Duration took = Duration.between(start, Instant.now());
        Files.createDirectories(config.outputDirectory());
        MarkdownReport report = new MarkdownReport(results, Machine.current(), config.quick(), config.fanout() ? config.rounds() : 1,
                config.fanout() ? config.roundPlan() : "", took, config.fanout() ? config.targets() : List.of(),
                config.sweepTargets(), config.sweepPlan());
        // A sweep alone (bench/run --sweep) must not replace the full run's results.md.
        Path written = config.outputDirectory().resolve(config.fanout() ? "results.md" : "sweep.md");
        Files.writeString(written, report.render());
        List<Path> charts = new Charts(results, config.targets(), config.sweepTargets()).write(config.outputDirectory());
        out.println();
        out.println(report.render());
        out.println("Wrote " + written + " and " + charts.size() + " chart(s).");
        boolean allPassed = results.checks().stream().allMatch(Check::ok);
        System.exit(allPassed ? 0 : 2);
    }

    private static void run(PrintStream out, Results results, int round, Target target, String scenario, int n,
                            ScenarioRun body) {
        out.printf("round %d  %-18s %-15s N=%-6d ", round, target, scenario, n);
        out.flush();
        long started = System.nanoTime();
        int checksBefore = results.checks().size();
        try {
            body.run();
        } catch (Exception e) {
            results.add(Check.failed(round, target.name(), scenario, n, e.toString()));
        }
        List<Check> checks = results.checks();
        boolean ok = checks.size() > checksBefore && checks.subList(checksBefore, checks.size()).stream().allMatch(Check::ok);
        String summary = checks.size() > checksBefore ? summary(checks.get(checks.size() - 1)) : "";
        out.printf("%s (%.0f s)%s%n", ok ? "ok" : "CHECKS FAILED", (System.nanoTime() - started) / 1e9, summary);
        if (!ok && checks.size() > checksBefore) {
            checks.get(checks.size() - 1).problems().stream().limit(5).forEach(p -> out.println("    " + p));
        }
    }

    /** One peer's sweep at one N: a line per window as it is measured, then the run's check. */
    private static void sweep(PrintStream out, Results results, Target target, int n, RateSweep sweep) {
        out.printf("sweep    %-18s N=%-6d%n", target, n);
        out.flush();
        long started = System.nanoTime();
        int checksBefore = results.checks().size();
        try {
            sweep.run(target, n, step -> out.println(stepLine(step)));
        } catch (Exception e) {
            results.add(Check.failed(1, target.name(), RateSweep.NAME, n, e.toString()));
        }
        List<Check> checks = results.checks().subList(checksBefore, results.checks().size());
        boolean ok = !checks.isEmpty() && checks.stream().allMatch(Check::ok);
        out.printf("         %s (%.0f s)%n", ok ? "ok" : "CHECKS FAILED", (System.nanoTime() - started) / 1e9);
        if (!ok) {
            checks.stream().flatMap(c -> c.problems().stream()).limit(5).forEach(p -> out.println("    " + p));
        }
    }

    private static String stepLine(SweepStep step) {
        return String.format(java.util.Locale.ROOT,
                "  %,9.0f/s offered: %5.1f %% delivered, p50 %7.1f ms, p99 %7.1f ms, server CPU %3.0f %% (%.2f µs/delivery), "
                        + "client CPU %3.0f %%, publisher lag p99 %.1f ms  %s%s%s",
                step.offered(), 100 * step.share(), step.p50(), step.p99(), step.serverCpu(), step.serverMicrosPerDelivery(),
                step.clientCpu(), step.sendLagP99(), step.sustained() ? "sustained" : "missed: " + step.missedOn(),
                step.clientLimited() ? " [load generator at its limit]" : "", step.halfLoad() ? " [50 % of sustained]" : "");
    }

    private static String summary(Check check) {
        return String.format(java.util.Locale.ROOT, "  client CPU %.0f %%, %d failed, %d unexpected closes, %d gaps, %d reorders, %d errors",
                check.clientCpuPercent(), check.failedConnections(), check.unexpectedCloses(), check.gaps(),
                check.reorders(), check.errorFrames());
    }

    @FunctionalInterface
    private interface ScenarioRun {
        void run() throws Exception;
    }
}
