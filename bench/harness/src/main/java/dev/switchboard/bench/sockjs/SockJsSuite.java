package dev.switchboard.bench.sockjs;

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
import java.util.UUID;

/**
 * The SockJS run ({@code bench/run --sockjs}, issue 12): topic fan-out deliveries/s over SockJS
 * xhr-streaming against WebSocket, side by side on one standalone server ({@link TransportSweep}).
 * Writes {@code docs/benchmarks/sockjs.md} and prints it.
 *
 * <p>Exit status: 0 if the run had no problem, 2 if it had some (the report lists them), 1 if the
 * run itself failed.
 */
public final class SockJsSuite {

    private SockJsSuite() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        SockJsConfig config = SockJsConfig.fromSystemProperties();
        Path root = Path.of(System.getProperty("bench.root", "..")).toAbsolutePath().normalize();
        // Fresh per run: nothing outside this process needs to know them.
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
        SockJsContext context = new SockJsContext(launcher, new Tokens(secret), apiKey, sources,
                Integer.parseInt(System.getProperty("bench.inflight", "64")),
                Long.parseLong(System.getProperty("bench.settle", "30")), config);

        List<String> problems = new ArrayList<>();
        List<TransportSweep.Row> rows = new ArrayList<>();
        double loadBefore = TransportSweep.loadAverage();
        Instant start = Instant.now();
        out.printf(Locale.ROOT, "Switchboard SockJS benchmark (%s): N = %d per transport, rates %s deliveries/s, "
                        + "load average %.2f, peer logs in %s%n",
                config.quick() ? "quick" : "full", config.subscribers(), config.rates(), loadBefore, logs);
        try {
            new TransportSweep(context).run(rows, problems, row -> out.printf(Locale.ROOT,
                    "  %-13s %,9.0f/s offered%s: delivered %5.1f %%, p50 %6.2f ms, p99 %7.2f ms, server CPU %3.0f %%, "
                            + "client CPU %3.0f %%, load %.1f%s%n",
                    row.transport().label, row.offered(), row.attempt() > 1 ? " (2nd try)" : "", 100 * row.share(), row.p50(), row.p99(), row.serverCpu(),
                    row.clientCpu(), row.load1(), row.sustained() ? "" : "  (not sustained)"));
        } catch (Exception e) {
            problems.add("the sweep failed: " + e);
        }
        Duration took = Duration.between(start, Instant.now());
        String command = System.getProperty("bench.command", "bench/run --sockjs");
        SockJsReport report = new SockJsReport(new SockJsReport.Data(config, command, Machine.current(), serverCpus,
                System.getProperty("bench.client.cpus", "1"), took, loadBefore, TransportSweep.loadAverage(), rows, problems));
        Path file = root.resolve(System.getProperty("bench.out", "docs/benchmarks")).resolve("sockjs.md");
        Files.createDirectories(file.getParent());
        String text = report.render();
        Files.writeString(file, text);
        out.println();
        out.println(text);
        out.println("Wrote " + file);
        System.exit(problems.isEmpty() ? 0 : 2);
    }
}
