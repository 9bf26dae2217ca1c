package dev.switchboard.bench.cluster;

import dev.switchboard.bench.measure.Machine;
import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.scenario.Tokens;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The cluster run ({@code bench/run --cluster}): fan-out at fixed offered loads on 1 node in
 * memory, 1 node on Redis and 2 nodes on one Redis ({@link ClusterFanout}), the time to detect a
 * killed node ({@link NodeKillScenario}) and the catch-up after a Redis restart
 * ({@link RedisRestartScenario}). Starts Redis and the nodes itself (free ports, stopped
 * afterwards), writes {@code docs/benchmarks/cluster.md} and prints it.
 *
 * <p>Exit status: 0 if every part ran without a problem, 2 if some did (the report lists them), 1
 * if the run itself failed.
 */
public final class ClusterSuite {

    private ClusterSuite() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        ClusterConfig config = ClusterConfig.fromSystemProperties();
        Path root = Path.of(System.getProperty("bench.root", "..")).toAbsolutePath().normalize();
        String secret = "bench-secret-" + UUID.randomUUID() + "-" + UUID.randomUUID();
        String apiKey = "bench-api-key-" + UUID.randomUUID();
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(System.getProperty("bench.sources", "4")); i++) {
            sources.add(InetAddress.getByName("127.0.0." + (2 + i)));
        }
        Path logs = root.resolve("bench/target/peer-logs");
        String serverCpus = System.getProperty("bench.server.cpus", "0");
        PeerLauncher launcher = new PeerLauncher(Path.of(System.getProperty("java.home"), "bin", "java"),
                Arrays.stream(System.getProperty("bench.peer.jvm", "-Xms256m,-Xmx2g").split(",")).map(String::trim).toList(),
                serverCpus, "", "", "", root.resolve(System.getProperty("bench.jar", "target/switchboard-standalone.jar")),
                secret, apiKey, logs);
        ClusterContext context = new ClusterContext(launcher, new Tokens(secret), new Http(apiKey), sources,
                Integer.parseInt(System.getProperty("bench.inflight", "64")),
                Long.parseLong(System.getProperty("bench.settle", "30")), config);

        List<String> problems = new ArrayList<>();
        List<ClusterFanout.Row> fanout = new ArrayList<>();
        List<NodeKillScenario.Kill> kills = new ArrayList<>();
        List<RedisRestartScenario.Restart> restarts = new ArrayList<>();
        Optional<RedisRestartScenario.Outcome> outcome = Optional.empty();
        Instant start = Instant.now();
        out.printf("Switchboard cluster benchmark: parts %s, N = %d, rates %s deliveries/s, peer logs in %s%n",
                config.parts(), config.subscribers(), config.rates(), logs);
        if (config.parts().contains("fanout")) {
            ClusterFanout scenario = new ClusterFanout(context);
            for (ClusterFanout.Setup setup : ClusterFanout.Setup.values()) {
                part(out, "fan-out " + setup.id, problems, () -> {
                    int before = fanout.size();
                    scenario.run(setup, fanout, problems);
                    for (ClusterFanout.Row row : fanout.subList(before, fanout.size())) {
                        out.printf(Locale.ROOT, "    %,.0f/s offered: share %.3f, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, nodes CPU %.0f %%, Redis CPU %.0f %%, client CPU %.0f %%%n",
                                row.offered(), row.share(), row.p50(), row.p99(), row.p999(), row.nodesCpu(), row.redisCpu(), row.clientCpu());
                        if (row.clientCpu() > 80) {
                            problems.add(String.format(Locale.ROOT, "%s at %,.0f/s: load generator CPU %.0f %% (over 80 %%: it may be the limit)",
                                    setup.id, row.offered(), row.clientCpu()));
                        }
                    }
                });
            }
        }
        if (config.parts().contains("kill")) {
            part(out, "killed node", problems, () -> {
                new NodeKillScenario(context).run(kills, problems);
                kills.forEach(k -> out.printf(Locale.ROOT, "    %d: %.2f s (%d attempts)%n", k.repetition(), k.seconds(), k.attempts()));
            });
        }
        if (config.parts().contains("restart")) {
            List<Optional<RedisRestartScenario.Outcome>> holder = new ArrayList<>(List.of(Optional.empty()));
            part(out, "Redis restart", problems, () -> {
                holder.set(0, Optional.of(new RedisRestartScenario(context).run(restarts, problems)));
                restarts.forEach(r -> out.printf(Locale.ROOT, "    %d: both nodes' subscribers %.3f s after up, ready %.3f / %.3f s%n",
                        r.repetition(), r.reachedBoth(), r.readyByNode()[0], r.readyByNode()[1]));
            });
            outcome = holder.get(0);
        }
        Duration took = Duration.between(start, Instant.now());
        String command = System.getProperty("bench.command", "bench/run --cluster");
        ClusterReport report = new ClusterReport(new ClusterReport.Data(config, command, Machine.current(), serverCpus,
                System.getProperty("bench.client.cpus", "1"), took, fanout, kills, restarts, outcome, problems));
        Path file = root.resolve(System.getProperty("bench.out", "docs/benchmarks")).resolve("cluster.md");
        Files.createDirectories(file.getParent());
        String text = report.render();
        Files.writeString(file, text);
        out.println();
        out.println(text);
        out.println("Wrote " + file);
        System.exit(problems.isEmpty() ? 0 : 2);
    }

    private static void part(PrintStream out, String name, List<String> problems, Part body) {
        out.println(name + " ...");
        long started = System.nanoTime();
        int before = problems.size();
        try {
            body.run();
        } catch (Exception e) {
            problems.add(name + " failed: " + e);
        }
        out.printf("  %s: %s (%.0f s)%n", name, problems.size() == before ? "ok" : "PROBLEMS", (System.nanoTime() - started) / 1e9);
        problems.subList(before, problems.size()).stream().limit(5).forEach(p -> out.println("    " + p));
    }

    @FunctionalInterface
    private interface Part {
        void run() throws Exception;
    }
}
