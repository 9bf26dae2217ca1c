package dev.switchboard.bench;

import dev.switchboard.bench.measure.Machine;
import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.report.Charts;
import dev.switchboard.bench.report.MarkdownReport;
import dev.switchboard.bench.scenario.Check;
import dev.switchboard.bench.scenario.FanoutScenario;
import dev.switchboard.bench.scenario.FanoutPlan;
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
                config.springClassPath(), config.switchboardJar(), secret, apiKey, logs);
        ScenarioSettings settings = new ScenarioSettings(launcher, new Tokens(secret), apiKey, sources,
                config.measureSeconds(), config.warmupSeconds(), config.maxInFlight(), config.handshakeWarmup(), config.window(),
                config.settleSeconds());

        Results results = new Results();
        FanoutScenario fanout = new FanoutScenario(settings, results);
        Instant start = Instant.now();
        out.printf("Switchboard benchmark suite (%s): %d round(s), targets %s, peer logs in %s%n",
                config.quick() ? "quick" : "full", config.rounds(), config.targets(), logs);
        int smallest = config.fanoutSizes().stream().mapToInt(Integer::intValue).min().orElse(0);
        for (int r = 1; r <= config.rounds(); r++) {
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
        Duration took = Duration.between(start, Instant.now());
        Files.createDirectories(config.outputDirectory());
        MarkdownReport report = new MarkdownReport(results, Machine.current(), config.quick(), config.rounds(), config.roundPlan(), took,
                config.targets());
        Files.writeString(config.outputDirectory().resolve("results.md"), report.render());
        List<Path> charts = new Charts(results, config.targets()).write(config.outputDirectory());
        out.println();
        out.println(report.render());
        out.println("Wrote " + config.outputDirectory().resolve("results.md") + " and " + charts.size() + " chart(s).");
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
