package dev.switchboard.bench.soak;

import dev.switchboard.bench.client.CallPlan;
import dev.switchboard.bench.client.SoakClient;
import dev.switchboard.bench.client.SoakPublisher;
import dev.switchboard.bench.measure.HeapProbe;
import dev.switchboard.bench.measure.Machine;
import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerKind;
import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.peer.PeerProcess;
import dev.switchboard.bench.scenario.Tokens;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The soak run (issue 10, part 7): the standalone jar with a real HS256 secret and API key and an
 * explicit -Xmx, {@code sessions} native sessions churning through connect, subscribe, receive,
 * disconnect and resume while topics come and go, HTTP publications at a fixed rate, 1 % of the
 * sessions stalling; every sample interval the server's heap after GC, threads, fds and the
 * latency of the interval. Writes {@code <out>/<name>.md} and {@code <out>/<name>.png}; the
 * report also goes to stdout (a command-line tool: its output is its interface).
 *
 * <p>Exit status: 0 if every check passed, 2 if one failed (the report says which), 1 if the run
 * itself failed.
 */
public final class Soak {

    private static final Pattern SLOW_CLOSED = Pattern.compile("\"slowConsumersClosed\":(\\d+)");
    private static final Pattern DROPPED = Pattern.compile("\"dropped\":(\\d+)");

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        SoakConfig config;
        try {
            config = SoakConfig.parse(args);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().isEmpty()) { // --help
                out.print(SoakConfig.USAGE);
                System.exit(0);
            }
            System.err.println(e.getMessage());
            System.err.print(SoakConfig.USAGE);
            System.exit(1);
            return;
        }
        // Fresh per run: a real secret and key, known only to this process and the server.
        String secret = "soak-secret-" + UUID.randomUUID() + "-" + UUID.randomUUID();
        String apiKey = "soak-api-key-" + UUID.randomUUID();
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 0; i < config.sources(); i++) {
            sources.add(InetAddress.getByName("127.0.0." + (2 + i)));
        }
        List<String> jvm = new ArrayList<>(config.serverJvm());
        if (config.historyTtlMs() > 0) {
            jvm.add("-Dswitchboard.history.ttl.ms=" + config.historyTtlMs());
        }
        Path logs = config.root().resolve("bench/target/peer-logs");
        PeerLauncher launcher = new PeerLauncher(Path.of(System.getProperty("java.home"), "bin", "java"), jvm,
                config.serverCpus(), "", "", "", config.jar(), secret, apiKey, logs);
        Tokens tokens = new Tokens(secret);
        Instant started = Instant.now();
        String loadAtStart = loadAverage();
        out.printf(Locale.ROOT, "Soak run%s: %s, %d sessions in %d groups, %.0f publications/s of %d bytes, stallers %.1f %%, "
                        + "samples every %s; server log %s%n", config.shortRun() ? " (SHORT)" : "", SoakConfig.seconds(config.durationMs()),
                config.sessions(), config.groups(), config.rate(), config.payloadBytes(), config.stallFraction() * 100,
                SoakConfig.seconds(config.sampleMs()), logs.resolve(config.name() + ".log"));

        SoakOutcome outcome;
        try (PeerProcess server = launcher.start(PeerKind.SWITCHBOARD, config.name())) {
            outcome = run(out, config, server, tokens, apiKey, sources);
            if (!server.isAlive()) {
                throw new IOException("the server died (log: " + server.log() + ")");
            }
        }
        Duration took = Duration.between(started, Instant.now());
        SoakReport report = new SoakReport(config, Machine.current(), outcome, took, loadAtStart + " / " + loadAverage());
        Files.createDirectories(config.out());
        Path markdown = config.out().resolve(config.name() + ".md");
        Path chart = config.out().resolve(config.name() + ".png");
        SoakChart.write(outcome.samples(), report.warmUpEndsSeconds() / 60, chart);
        Files.writeString(markdown, report.render());
        out.println();
        out.println(report.render());
        out.println("Wrote " + markdown + " and " + chart);
        System.exit(report.passed() ? 0 : 2);
    }

    private static SoakOutcome run(PrintStream out, SoakConfig config, PeerProcess server, Tokens tokens, String apiKey,
                                   List<InetAddress> sources) throws Exception {
        String pid = server.pidText();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        HttpClient http = HttpClient.newHttpClient();
        List<SoakSample> samples = new ArrayList<>();
        samples.add(probe(server, http, base, apiKey, 0, new SoakClient.Interval(0, 0, 0, 0, 0), 0, 0, 0, 0, 0));
        out.println(header());
        out.println(line(samples.get(0)));

        long start = System.nanoTime();
        CallPlan plan = new CallPlan(config.groups(), start, TimeUnit.MILLISECONDS.toNanos(config.callMs()));
        SoakClient.Settings settings = new SoakClient.Settings(config.sessions(), config.stallFraction(),
                ms(config.lifeMinMs()), ms(config.lifeMaxMs()), ms(config.pauseMinMs()), ms(config.pauseMaxMs()),
                ms(config.rampMs()), ms(config.stallAfterMs()), ms(config.stallHoldMs()), ms(config.stallGraceMs()),
                ms(config.leaveGraceMs()), config.inflight(), config.seed());
        SoakPublisher publisher = new SoakPublisher("soak-publisher", base, apiKey, config.rate(), plan::topicFor,
                config.payloadBytes());
        SoakPublisher feed = new SoakPublisher("soak-feed-publisher", base, apiKey, config.feedRate(),
                (n, due) -> CallPlan.FEED, config.feedPayloadBytes());
        try (SoakClient client = new SoakClient(new InetSocketAddress("127.0.0.1", server.port()), sources, plan, settings,
                i -> tokens.channelToken("soak-" + i, "soak-" + i))) {
            publisher.start();
            if (config.feedRate() > 0) {
                feed.start();
            }
            double serverCpu = ProcessStats.cpuSeconds(pid);
            double clientCpu = ProcessStats.cpuSeconds("self");
            long lastProbe = start;
            for (long due = start + ms(config.sampleMs()); due <= start + ms(config.durationMs()); due += ms(config.sampleMs())) {
                sleepUntil(due);
                // Latency first: the full GC of the heap probe then falls at the start of the next
                // interval, the same way in every one of them.
                SoakClient.Interval interval = client.takeInterval();
                SoakClient.Counters counters = client.counters();
                long now = System.nanoTime();
                double seconds = (now - lastProbe) / 1e9;
                double serverNow = ProcessStats.cpuSeconds(pid);
                double clientNow = ProcessStats.cpuSeconds("self");
                SoakSample sample = probe(server, http, base, apiKey, (now - start) / 1e9, interval,
                        100 * (serverNow - serverCpu) / seconds, 100 * (clientNow - clientCpu) / seconds,
                        counters.connected(), counters.stalledNow(), interval.count());
                serverCpu = serverNow;
                clientCpu = clientNow;
                lastProbe = now;
                samples.add(sample);
                out.println(line(sample));
            }
            // The end: churn stops, then the publisher; every session still following a topic
            // must reach the last offset the publisher was given for it.
            client.freeze();
            Thread.sleep(1000);
            publisher.stop();
            feed.stop();
            Map<String, Long> lastOffsets = new HashMap<>(publisher.lastOffsets());
            lastOffsets.putAll(feed.lastOffsets());
            client.awaitCaughtUp(lastOffsets, 20, TimeUnit.SECONDS);
            SoakClient.EndCheck end = client.endCheckNow(lastOffsets);
            SoakClient.Counters counters = client.counters();
            String stats = get(http, base, "/api/v1/stats", apiKey);
            return new SoakOutcome(samples, counters, end, publisher.sent(), publisher.failures(), publisher.firstFailure(),
                    publisher.achievedRate(), publisher.meanRequestMillis(), publisher.maxRequestMillis(), feed.sent(),
                    feed.failures(), feed.firstFailure(), feed.achievedRate(), lastOffsets.size(),
                    number(SLOW_CLOSED, stats), number(DROPPED, stats));
        } finally {
            publisher.stop();
            feed.stop();
        }
    }

    private static SoakSample probe(PeerProcess server, HttpClient http, URI base, String apiKey, double seconds,
                                    SoakClient.Interval interval, double serverCpu, double clientCpu, int connected,
                                    int stalled, long deliveries) throws IOException, InterruptedException {
        String pid = server.pidText();
        double heapMb = HeapProbe.liveHeapKb(server.pid()) / 1024.0;
        long fds;
        try (Stream<Path> open = Files.list(Path.of("/proc", pid, "fd"))) {
            fds = open.count();
        }
        long slowClosed = number(SLOW_CLOSED, get(http, base, "/api/v1/stats", apiKey));
        return new SoakSample(seconds, heapMb, ProcessStats.threads(pid), fds, ProcessStats.rssKb(pid) / 1024.0, serverCpu,
                clientCpu, connected, stalled, deliveries, interval.p50(), interval.p99(), interval.p999(), interval.max(),
                slowClosed);
    }

    static String header() {
        return String.format(Locale.ROOT, "%7s %9s %7s %6s %8s %7s %7s %9s %7s %11s %8s %8s %8s %6s",
                "s", "heap MB", "threads", "fds", "RSS MB", "srv CPU", "cli CPU", "connected", "stalled", "deliveries",
                "p50 ms", "p99 ms", "max ms", "4008s");
    }

    static String line(SoakSample s) {
        return String.format(Locale.ROOT, "%7.0f %9.1f %7d %6d %8.0f %6.0f%% %6.0f%% %9d %7d %11d %8.2f %8.2f %8.1f %6d",
                s.seconds(), s.heapMb(), s.threads(), s.fds(), s.rssMb(), s.serverCpuPercent(), s.clientCpuPercent(),
                s.connected(), s.stalled(), s.deliveries(), s.p50Ms(), s.p99Ms(), s.maxMs(), s.slowClosed());
    }

    private static String get(HttpClient http, URI base, String path, String apiKey) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static long number(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    /** The 1-minute load average: other work on the machine shows in latency and CPU figures. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void sleepUntil(long dueNanos) throws InterruptedException {
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
