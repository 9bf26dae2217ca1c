package dev.switchboard.bench.sockjs;

import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.FanoutClient;
import dev.switchboard.bench.client.HttpTopicPublisher;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.Protocol;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import dev.switchboard.bench.client.XhrStreamingClient;
import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Topic fan-out over WebSocket and over SockJS xhr-streaming, side by side on one server: N
 * subscribers per transport, each transport on its own topic, all 2N connected throughout (so
 * the server holds the same sessions during every window). Publications go through the HTTP API,
 * open loop ({@link HttpTopicPublisher}: publication i is due at start + i / rate and carries that
 * time, so a late request counts as latency). Per offered rate, lowest first: a window publishing
 * alone (the same publications/s to a topic nobody follows: what the HTTP API costs the server),
 * then one window per transport back to back, which one first alternating from rate to rate, so
 * that the machine's drift and the JIT's progress hit both alike. The machine may be shared: a rate
 * missed on its share or its p99 (not on a fault or an undrained backlog) is tried once more, for
 * both transports alike. A transport stops climbing after its first rate not sustained (its
 * backlog would spoil the next windows).
 */
final class TransportSweep {

    /**
     * One window's figures.
     *
     * @param offered         deliveries/s offered (publications/s x N)
     * @param published       publications/s the publisher achieved (one request at a time), warm-up included
     * @param delivered       deliveries/s received in the window
     * @param p50             ms from the publication's intended time, every delivery
     * @param completeP99     ms, p99 over publications of the time until the last subscriber had it
     * @param serverCpu       % of one core
     * @param publishingCpu   % of one core in the window publishing alone at the same rate
     * @param clientCpu       % of the load generator's core (the whole harness process)
     * @param streamsPerSecond xhr-streaming responses begun per second in the window (0 for WebSocket)
     * @param reopenP50       ms from the end of an xhr stream to the head of the next, median over the window's re-opens
     *                        (NaN for WebSocket or without a re-open)
     * @param reopenP99       the same, p99
     * @param drained         every subscriber had the last publication within the settle time after the window
     * @param faults          gaps, reorders, unexpected closes and error frames during the window
     * @param load1           the machine's 1-minute load average at the window's end
     * @param attempt         1, or 2 for the second try of a rate the first missed
     */
    record Row(Transport transport, double offered, double published, double delivered, double p50, double p99, double p999,
               double completeP99, double serverCpu, double publishingCpu, double clientCpu, double streamsPerSecond, double reopenP50, double reopenP99, boolean drained, long faults,
               double load1, int attempt, int subscribers, double p99Limit, double minShare) {

        double share() {
            return delivered / offered;
        }

        /** Server CPU-µs per delivery. */
        double serverMicrosPerDelivery() {
            return delivered > 0 ? serverCpu / 100 * 1e6 / delivered : Double.NaN;
        }

        /** The same without what publishing alone cost at this rate: the transport's part. */
        double deliveryMicrosPerDelivery() {
            return delivered > 0 ? (serverCpu - publishingCpu) / 100 * 1e6 / delivered : Double.NaN;
        }

        /** The publisher could not make the offer: one request at a time took longer than 1 / rate. */
        boolean publisherShort() {
            return published < 0.99 * offered / subscribers;
        }

        /** The load generator's core was nearly full: it, not the server, may have been the limit. */
        boolean clientBusy() {
            return clientCpu > 80;
        }

        /** Everything delivered within the window (edge effects aside), p99 within the limit, no fault. */
        boolean sustained() {
            return share() >= minShare && p99 <= p99Limit && drained && faults == 0;
        }

        /** Missed on share or latency alone, which another program on the machine can cause: worth a second try. */
        boolean retryable() {
            return !sustained() && attempt == 1 && drained && faults == 0;
        }
    }

    /** The topic of the windows publishing alone: no subscriber follows it. */
    private static final String NOBODY = "bench-nobody";

    private final SockJsContext context;

    TransportSweep(SockJsContext context) {
        this.context = context;
    }

    /** Runs the sweep on a fresh server; each window's row goes to {@code rows} and {@code progress}. */
    void run(List<Row> rows, List<String> problems, Consumer<Row> progress) throws Exception {
        int n = context.config().subscribers();
        try (PeerProcess server = context.launcher().startSwitchboard("sockjs-server", context.config().serverOptions());
             LoadClient webSocket = new LoadClient(address(server), Transport.WEBSOCKET.topic, context.sourceAddresses());
             XhrStreamingClient xhrStreaming = new XhrStreamingClient(address(server), Transport.XHR_STREAMING.topic,
                     context.sourceAddresses())) {
            Map<Transport, FanoutClient> clients = new EnumMap<>(Transport.class);
            clients.put(Transport.WEBSOCKET, webSocket);
            clients.put(Transport.XHR_STREAMING, xhrStreaming);
            Run run = new Run(server, clients, xhrStreaming, n, problems);
            try {
                if (!run.connect()) {
                    return;
                }
                for (Transport transport : Transport.values()) {
                    if (!run.prime(transport)) {
                        return;
                    }
                }
                // Every path compiled before the first window: a fresh JVM would otherwise charge its JIT to the lowest rate.
                int refused = HttpApiWarmUp.run(run.base, context.apiKey(), NOBODY, context.config().jitRequests());
                if (refused > 0) {
                    problems.add("HTTP API warm-up: " + refused + " publications not accepted");
                }
                for (Transport transport : Transport.values()) {
                    run.publishFor(transport, context.config().jitRate(), context.config().jitSeconds());
                }
                Set<Transport> climbing = EnumSet.allOf(Transport.class);
                List<Transport> order = new ArrayList<>(List.of(Transport.values()));
                for (double rate : context.config().rates()) {
                    double publishingCpu = run.publishingAlone(rate);
                    for (Transport transport : order) {
                        if (!climbing.contains(transport)) {
                            continue;
                        }
                        Row row = run.window(transport, rate, publishingCpu, 1);
                        rows.add(row);
                        progress.accept(row);
                        if (row.retryable()) {
                            row = run.window(transport, rate, publishingCpu, 2);
                            rows.add(row);
                            progress.accept(row);
                        }
                        if (!row.sustained()) {
                            climbing.remove(transport);
                        }
                    }
                    if (climbing.isEmpty()) {
                        break;
                    }
                    Collections.reverse(order);
                }
            } finally {
                for (Transport transport : Transport.values()) {
                    clients.get(transport).totals().problems().stream().limit(3)
                            .forEach(p -> problems.add(transport.label + ": " + p));
                }
                if (!server.isAlive()) {
                    problems.add("the server exited (log: " + server.log() + ")");
                }
            }
        }
    }

    private static InetSocketAddress address(PeerProcess server) {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    /** One sweep's processes and running totals. */
    private final class Run {
        private final PeerProcess server;
        private final Map<Transport, FanoutClient> clients;
        private final XhrStreamingClient xhrStreaming;
        private final int n;
        private final List<String> problems;
        private final URI base;
        private final Map<Transport, Long> faultsSoFar = new EnumMap<>(Transport.class);

        Run(PeerProcess server, Map<Transport, FanoutClient> clients, XhrStreamingClient xhrStreaming, int n,
            List<String> problems) {
            this.server = server;
            this.clients = clients;
            this.xhrStreaming = xhrStreaming;
            this.n = n;
            this.problems = problems;
            this.base = URI.create("http://127.0.0.1:" + server.port() + "/");
        }

        /**
         * N subscribers per transport, each with its own token and channel, opened in small groups spread
         * over {@code connectSeconds}, both transports alike. Why spread: a session's heart-beats run from
         * its start, every interval (25 s), and one ends an xhr stream that is 12.5 s old or more. Opened
         * within two seconds, all 1,000 sessions of a trial ended their streams in the same second 25 s later
         * (242 streams begun per second in the window it fell in, against none in a window without it):
         * that measured when the run started, not the steady state of clients that came at different times.
         */
        boolean connect() throws InterruptedException {
            Map<Transport, List<ConnectionSpec>> specs = new EnumMap<>(Transport.class);
            for (Transport transport : Transport.values()) {
                String prefix = transport == Transport.WEBSOCKET ? "ws-sub-" : "xhr-sub-";
                List<ConnectionSpec> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(new ConnectionSpec(Protocol.NATIVE, Role.SUBSCRIBER, context.tokens().token(prefix + i), prefix + i));
                }
                specs.put(transport, list);
            }
            int groups = Math.max(1, Math.min(n, (int) Math.round(10 * context.config().connectSeconds())));
            Map<Transport, List<ConnectionBatch>> batches = new EnumMap<>(Transport.class);
            for (int g = 0; g < groups; g++) {
                for (Transport transport : Transport.values()) {
                    List<ConnectionSpec> group = specs.get(transport).subList(g * n / groups, (g + 1) * n / groups);
                    batches.computeIfAbsent(transport, t -> new ArrayList<>())
                            .add(clients.get(transport).open(group, context.maxInFlight()));
                }
                pause(context.config().connectSeconds() / groups);
            }
            boolean all = true;
            for (Transport transport : Transport.values()) {
                int ready = 0;
                for (ConnectionBatch batch : batches.get(transport)) {
                    batch.await(context.settleSeconds(), TimeUnit.SECONDS);
                    ready += batch.ready();
                }
                if (ready < n) {
                    problems.add(transport.label + ": " + ready + " of " + n + " subscribers ready");
                    all = false;
                }
            }
            return all;
        }

        /** Slow publishing until every subscriber got a message: a subscription is surely live from then on. */
        boolean prime(Transport transport) throws InterruptedException {
            FanoutClient client = clients.get(transport);
            HttpTopicPublisher publisher = new HttpTopicPublisher(base, transport.topic, context.apiKey(), 20, client.nextSeq());
            boolean primed = client.awaitPrimed(n, context.settleSeconds(), TimeUnit.SECONDS);
            client.publishedElsewhere(publisher.stop());
            if (!primed) {
                problems.add(transport.label + ": not every subscriber received a message while priming");
                return false;
            }
            return drain(transport, "priming");
        }

        /** Unmeasured load (the JIT warm-up). */
        void publishFor(Transport transport, double rate, double seconds) throws InterruptedException {
            FanoutClient client = clients.get(transport);
            HttpTopicPublisher publisher = new HttpTopicPublisher(base, transport.topic, context.apiKey(), rate / n,
                    client.nextSeq());
            pause(seconds);
            client.publishedElsewhere(publisher.stop());
            drain(transport, "the JIT warm-up");
        }

        /** Server CPU (% of a core) for publishing at {@code rate / n} publications/s to a topic nobody follows. */
        double publishingAlone(double rate) throws InterruptedException {
            HttpTopicPublisher publisher = new HttpTopicPublisher(base, NOBODY, context.apiKey(), rate / n, 0);
            pause(context.config().warmupSeconds());
            double serverBefore = ProcessStats.cpuSeconds(server.pidText());
            long start = System.nanoTime();
            pause(context.config().measureSeconds());
            double cpu = 100 * (ProcessStats.cpuSeconds(server.pidText()) - serverBefore) / ((System.nanoTime() - start) / 1e9);
            publisher.stop();
            if (publisher.failures() > 0) {
                problems.add(String.format(Locale.ROOT, "publishing alone at %,.0f/s: %d publications failed, first: %s",
                        rate / n, publisher.failures(), publisher.firstFailure()));
            }
            return cpu;
        }

        Row window(Transport transport, double rate, double publishingCpu, int attempt) throws InterruptedException {
            FanoutClient client = clients.get(transport);
            HttpTopicPublisher publisher = new HttpTopicPublisher(base, transport.topic, context.apiKey(), rate / n,
                    client.nextSeq());
            pause(context.config().warmupSeconds());
            long streamsBefore = xhrStreaming.streamCounts().streams();
            double serverBefore = ProcessStats.cpuSeconds(server.pidText());
            double clientBefore = ProcessStats.cpuSeconds("self");
            long start = System.nanoTime();
            client.startWindow();
            pause(context.config().measureSeconds());
            WindowStats stats = client.endWindow();
            double wall = (System.nanoTime() - start) / 1e9;
            double serverCpu = 100 * (ProcessStats.cpuSeconds(server.pidText()) - serverBefore) / wall;
            double clientCpu = 100 * (ProcessStats.cpuSeconds("self") - clientBefore) / wall;
            boolean xhr = transport == Transport.XHR_STREAMING;
            double streams = xhr ? (xhrStreaming.streamCounts().streams() - streamsBefore) / wall : 0;
            Histogram reopens = xhr ? xhrStreaming.reopenLatency() : new Histogram(3);
            double published = publisher.achievedRate();
            client.publishedElsewhere(publisher.stop());
            if (publisher.failures() > 0) {
                problems.add(String.format(Locale.ROOT, "%s at %,.0f/s: %d publications failed, first: %s", transport.label,
                        rate, publisher.failures(), publisher.firstFailure()));
            }
            boolean drained = drain(transport, String.format(Locale.ROOT, "%,.0f/s", rate));
            long faults = stats.gaps() + stats.reorders() + stats.unexpectedCloses() + stats.errorFrames();
            long newFaults = faults - faultsSoFar.getOrDefault(transport, 0L);
            faultsSoFar.put(transport, faults);
            if (newFaults > 0) {
                problems.add(String.format(Locale.ROOT, "%s at %,.0f/s: %d gaps, %d reorders, %d unexpected closes, %d error frames so far",
                        transport.label, rate, stats.gaps(), stats.reorders(), stats.unexpectedCloses(), stats.errorFrames()));
            }
            Histogram latency = stats.latency();
            return new Row(transport, rate, published, stats.deliveriesPerSecond(), ms(latency, 50), ms(latency, 99),
                    ms(latency, 99.9), ms(stats.complete(), 99), serverCpu, publishingCpu, clientCpu, streams, ms(reopens, 50), ms(reopens, 99), drained, newFaults,
                    loadAverage(), attempt, n, context.config().p99LimitMillis(), context.config().minShare());
        }

        private boolean drain(Transport transport, String phase) throws InterruptedException {
            if (clients.get(transport).awaitDrained(n, context.settleSeconds(), TimeUnit.SECONDS)) {
                return true;
            }
            problems.add(transport.label + ": after " + phase + ", not every subscriber received the last publication within "
                    + context.settleSeconds() + " s");
            return false;
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The 1-minute load average: the machine is shared, and the report says how busy it was. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** A measurement window is timed by the clock; that is what it measures, not a synchronisation. */
    private static void pause(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }
}
