package dev.switchboard.bench;

import dev.switchboard.bench.scenario.SweepPlan;
import dev.switchboard.bench.scenario.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The suite's settings, from system properties ({@code -Dbench.x=...}); {@code bench.quick=true}
 * changes the defaults to a smoke run (one round, 300 connections, 2-second windows).
 *
 * @param rounds            rounds of A B C D E (each target once per round)
 * @param targets           which targets, in round order
 * @param fanoutSizes       N subscribers (one fan-out run per N, target and round)
 * @param searchSteps       open-loop steps searching the maximum above the saturating figure
 * @param searchStep        multiple of the best so far each step offers
 * @param latencyFractions  loads (fractions of each peer's measured maximum) for latency at the smallest N
 * @param largeFractions    the same at every larger N (fewer: they take the longest)
 * @param pushRate          per-user pushes/s through the HTTP API (Switchboard, smallest N)
 * @param churnFraction     churners as a share of N at the smallest N (0: skip)
 * @param churnLifetimeMillis how long each churner stays
 * @param overload          offered load as a multiple of the maximum in the overload phase (0: skip)
 * @param slowFraction      share of slow consumers in the last phase at the smallest N (0: skip)
 * @param detailRounds      rounds that run every phase at the smallest N (latency at every fraction,
 *                          HTTP, churn, overload, slow consumers); later rounds run the core phases
 *                          (connect, maximum, latency at {@code largeFractions}) only
 * @param firstRoundSizes   N measured in the first round only (the largest take the longest and no
 *                          target is set there)
 * @param fanout            whether the fan-out scenario runs (not with {@code bench/run --sweep})
 * @param sweep             whether the open-loop rate sweep runs
 * @param sweepTargets      the sweep's peers, in order
 * @param sweepSizes        the sweep's N (the smallest is the fixed-load comparison's)
 * @param sweepPlan         the sweep's rates, windows and limits
 * @param node              the node binary for the Socket.IO peer
 * @param socketIoPeer      bench/peer-socketio
 */
record SuiteConfig(boolean quick, int rounds, List<Target> targets, List<Integer> fanoutSizes, double measureSeconds, double warmupSeconds, int searchSteps, double searchStep,
                   List<Double> latencyFractions, List<Double> largeFractions, double pushRate, double churnFraction,
                   long churnLifetimeMillis, double overload, double slowFraction, int detailRounds,
                   List<Integer> firstRoundSizes, int window, int maxInFlight, int handshakeWarmup, int sourceAddresses, long settleSeconds, Path repositoryRoot,
                   Path outputDirectory, Path switchboardJar, String harnessClassPath, String tyrusClassPath,
                   String springClassPath, List<String> peerJvmOptions, String serverCpus, boolean fanout, boolean sweep,
                   List<Target> sweepTargets, List<Integer> sweepSizes, SweepPlan sweepPlan, Path node, Path socketIoPeer) {

    static SuiteConfig fromSystemProperties() throws IOException {
        boolean quick = Boolean.getBoolean("bench.quick");
        boolean sweepOnly = Boolean.getBoolean("bench.sweep.only");
        Path root = Path.of(property("bench.root", "..")).toAbsolutePath().normalize();
        Path bench = root.resolve("bench");
        return new SuiteConfig(
                quick,
                Integer.parseInt(property("bench.rounds", quick ? "1" : "3")),
                list(property("bench.targets", "raw,tyrus,switchboard,switchboard-stomp,spring")).stream().distinct().map(Target::named).toList(),
                list(property("bench.fanout.sizes", quick ? "300" : "1000,5000")).stream().map(Integer::valueOf).toList(),
                Double.parseDouble(property("bench.seconds", "2")),
                Double.parseDouble(property("bench.warmup", "1")),
                Integer.parseInt(property("bench.search.steps", "2")),
                Double.parseDouble(property("bench.search.step", "1.5")),
                list(property("bench.fractions", quick ? "0.5" : "0.25,0.5,0.8")).stream().map(Double::valueOf).toList(),
                list(property("bench.fractions.large", "0.5")).stream().map(Double::valueOf).toList(),
                Double.parseDouble(property("bench.push.rate", quick ? "200" : "1000")),
                Double.parseDouble(property("bench.churn", "0.05")),
                Long.parseLong(property("bench.churn.lifetime", "500")),
                Double.parseDouble(property("bench.overload", "1.5")),
                Double.parseDouble(property("bench.slow", "0.05")),
                Integer.parseInt(property("bench.detail.rounds", "1")),
                list(property("bench.first.round.sizes", "15000")).stream().map(Integer::valueOf).toList(),
                Integer.parseInt(property("bench.window", "256000")),
                Integer.parseInt(property("bench.inflight", "64")),
                Integer.parseInt(property("bench.handshake.warmup", quick ? "2000" : "5000")),
                Integer.parseInt(property("bench.sources", "4")),
                Long.parseLong(property("bench.settle", "30")),
                root,
                root.resolve(property("bench.out", "docs/benchmarks")),
                root.resolve(property("bench.jar", "target/switchboard-standalone.jar")),
                classPath(bench.resolve("harness/target"), "bench.cp.harness"),
                classPath(bench.resolve("peer-tyrus/target"), "bench.cp.tyrus"),
                classPath(bench.resolve("peer-spring/target"), "bench.cp.spring"),
                list(property("bench.peer.jvm", "-Xms256m,-Xmx2g")),
                property("bench.server.cpus", "0"),
                !sweepOnly,
                sweepOnly || Boolean.parseBoolean(property("bench.sweep", "true")),
                list(property("bench.sweep.targets", "raw,tyrus,switchboard,switchboard-stomp,spring,socketio")).stream()
                        .distinct().map(Target::named).toList(),
                list(property("bench.sweep.sizes", quick ? "300" : "1000,5000")).stream().map(Integer::valueOf).sorted().toList(),
                sweepPlan(quick),
                Path.of(property("bench.node", "node")),
                bench.resolve("peer-socketio"));
    }

    /**
     * The sweep's ladder. Why these rates: one load-generator core reads about 250k frames/s, so
     * 300k is past what it can measure (the raw peer's climb ends there, on the client); the steps
     * are finest where one core's limit lies for the servers measured so far (50k-200k). Why 1 + 7 s
     * per step: 8 s of load per step as the instrument used, and the whole full run (fan-out
     * scenario included) within about 25 minutes.
     */
    private static SweepPlan sweepPlan(boolean quick) {
        return new SweepPlan(
                list(property("bench.sweep.rates", quick ? "25000,50000,100000" : "25000,50000,100000,150000,200000,300000"))
                        .stream().map(Double::valueOf).sorted().toList(),
                Double.parseDouble(property("bench.sweep.warmup", "1")),
                Double.parseDouble(property("bench.sweep.seconds", quick ? "2" : "7")),
                Double.parseDouble(property("bench.sweep.jit", quick ? "1" : "3")),
                Double.parseDouble(property("bench.sweep.fixed", "50000")),
                Double.parseDouble(property("bench.sweep.p99.ms", "50")),
                Double.parseDouble(property("bench.sweep.share", "0.99")),
                Double.parseDouble(property("bench.sweep.client.lag.ms", "10")),
                Boolean.parseBoolean(property("bench.sweep.half", "true")),
                Boolean.parseBoolean(property("bench.sweep.retry", "true")));
    }

    /** What ran in which round, for the report: later rounds run less (see {@link #detailRounds}). */
    String roundPlan() {
        if (rounds == 1) {
            return "";
        }
        List<Integer> everyRound = fanoutSizes.stream().filter(n -> !firstRoundSizes.contains(n)).toList();
        String detail = detailRounds >= rounds ? "in every round"
                : detailRounds == 1 ? "in round 1 only" : "in rounds 1-" + detailRounds + " only";
        return "Every round measures N = " + everyRound + (everyRound.size() < fanoutSizes.size()
                ? "; N = " + fanoutSizes.stream().filter(firstRoundSizes::contains).toList() + " is measured in round 1 only"
                : "") + ". The phases beyond connect, maximum and latency at " + largeFractions
                + " of the maximum (latency at " + latencyFractions + ", HTTP, churn, overload, slow consumers) run "
                + detail + ", at the smallest N: the full run must stay within 15 minutes.";
    }

    /** A module's classes plus its dependencies (target/classpath.txt, written by bench/pom.xml). */
    private static String classPath(Path target, String override) throws IOException {
        String given = System.getProperty(override);
        if (given != null) {
            return given;
        }
        Path file = target.resolve("classpath.txt");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " missing: build bench/ with mvn package first (bench/run does)");
        }
        return target.resolve("classes") + ":" + Files.readString(file).trim();
    }

    private static String property(String name, String fallback) {
        return System.getProperty(name, fallback);
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
