package dev.switchboard.bench.scenario;

import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.HttpTopicPublisher;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.Protocol;
import dev.switchboard.bench.client.PublisherPlan;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerKind;
import dev.switchboard.bench.peer.PeerProcess;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Topic fan-out on a fresh peer: N subscribers and one in-band publisher (role publisher).
 *
 * <ol>
 *   <li>Prime: publish slowly until every subscriber has received a message (a RECEIPT or
 *       {@code subscribed} may come before the subscription is live, e.g. on Spring), then drain.
 *       Each subscriber's sequence check starts at its first message.</li>
 *   <li>Maximum: the saturating publisher keeps at most {@code window} messages per subscriber
 *       undelivered; deliveries/s over the window, and deliveries per server CPU-second from
 *       {@code /proc/<pid>/stat}.</li>
 *   <li>Latency: open loop at each fraction of that maximum, latency from the intended send
 *       time; for Switchboard's native target also through the HTTP API at the first fraction.</li>
 * </ol>
 * After each phase the run waits until every subscriber got the last message sent: a message
 * that never arrives shows as a drain failure here or as a gap at the next phase.
 */
public final class FanoutScenario {

    public static final String NAME = "fan-out";

    private final ScenarioSettings settings;
    private final Results results;

    public FanoutScenario(ScenarioSettings settings, Results results) {
        this.settings = settings;
        this.results = results;
    }

    /** One run with N subscribers, latency measured at each of {@code fractions} of the maximum (none: skipped). */
    public void run(int round, Target target, int n, List<Double> fractions) throws Exception {
        List<ConnectionSpec> specs = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            specs.add(new ConnectionSpec(target.protocol(), Role.SUBSCRIBER, settings.tokens().token("sub-" + i), "sub-" + i));
        }
        specs.add(new ConnectionSpec(target.protocol(), Role.PUBLISHER, settings.tokens().token("publisher", "publisher"), "publisher"));
        try (PeerProcess peer = settings.launcher().start(target.peer(), "r" + round + "-" + target + "-fanout-" + n);
             LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", peer.port()), ScenarioSettings.TOPIC,
                     settings.sourceAddresses())) {
            new Run(round, target, n, peer, client, fractions).execute(specs);
        }
    }

    /** One fan-out run's state: the phases add measurements and problems as they go. */
    private final class Run {
        private final int round;
        private final Target target;
        private final int n;
        private final PeerProcess peer;
        private final LoadClient client;
        private final List<Double> fractions;
        private final List<String> problems = new ArrayList<>();
        private double maxClientCpu;
        private int failedConnections;

        Run(int round, Target target, int n, PeerProcess peer, LoadClient client, List<Double> fractions) {
            this.fractions = fractions;
            this.round = round;
            this.target = target;
            this.n = n;
            this.peer = peer;
            this.client = client;
        }

        void execute(List<ConnectionSpec> specs) throws InterruptedException {
            try {
                if (connect(specs) && prime()) {
                    double max = maximum();
                    if (max > 0 && !fractions.isEmpty()) {
                        for (double fraction : fractions) {
                            latency(fraction, max);
                        }
                        if (target.peer() == PeerKind.SWITCHBOARD && target.protocol() == Protocol.NATIVE) {
                            httpLatency(fractions.get(fractions.size() / 2), max);
                        }
                    }
                }
            } finally {
                WindowStats totals = client.totals();
                List<String> all = new ArrayList<>(problems);
                all.addAll(totals.problems());
                if (!peer.isAlive()) {
                    all.add(0, "peer exited (log: " + peer.log() + ")");
                }
                results.add(new Check(round, target.name(), NAME, n, maxClientCpu, failedConnections,
                        totals.unexpectedCloses(), totals.gaps(), totals.reorders(), totals.errorFrames(), all));
            }
        }

        private boolean connect(List<ConnectionSpec> specs) throws InterruptedException {
            ClientCpu cpu = new ClientCpu();
            ConnectionBatch batch = client.open(specs, settings.maxInFlight());
            boolean settled = batch.await(settings.settleSeconds(), TimeUnit.SECONDS);
            maxClientCpu = Math.max(maxClientCpu, cpu.percent());
            failedConnections = specs.size() - batch.ready();
            if (!settled || failedConnections > 0) {
                problems.add(failedConnections + " of " + specs.size() + " connections not ready");
                return false;
            }
            return true;
        }

        private boolean prime() throws InterruptedException {
            // Slow enough that even Spring keeps up at 15k subscribers (20k deliveries/s at most).
            client.startPublisher(PublisherPlan.atRate(Math.max(1, Math.min(20, 20_000.0 / n))));
            boolean primed = client.awaitPrimed(n, settings.settleSeconds(), TimeUnit.SECONDS);
            client.stopPublisher();
            if (!primed) {
                problems.add("not every subscriber received a message within " + settings.settleSeconds() + " s");
                return false;
            }
            return drain("priming");
        }

        private double maximum() throws InterruptedException {
            client.startPublisher(PublisherPlan.saturating(settings.window()));
            pause(settings.warmupSeconds());
            Window window = measure();
            client.stopPublisher();
            double max = window.stats.deliveriesPerSecond();
            results.add(new Measurement(round, target.name(), Metric.FANOUT_DELIVERIES_PER_S, n, max));
            if (window.serverCpuSeconds > 0) {
                results.add(new Measurement(round, target.name(), Metric.DELIVERIES_PER_CPU_S, n,
                        window.stats.deliveries() / window.serverCpuSeconds));
            }
            results.add(new Measurement(round, target.name(), Metric.SERVER_CPU_PERCENT, n,
                    100 * window.serverCpuSeconds / window.stats.seconds()));
            drain("maximum");
            return max;
        }

        private void latency(double fraction, double maxDeliveriesPerSecond) throws InterruptedException {
            double rate = Math.max(1, fraction * maxDeliveriesPerSecond / n);
            client.startPublisher(PublisherPlan.atRate(rate));
            pause(settings.warmupSeconds());
            Window window = measure();
            client.stopPublisher();
            recordLatency(window.stats.latency(), fraction, Metric.LATENCY_P50_MS, Metric.LATENCY_P99_MS, Metric.LATENCY_P999_MS);
            results.add(new Measurement(round, target.name(), Metric.LATENCY_RATE_PER_S, n, percent(fraction),
                    window.stats.deliveriesPerSecond()));
            drain("latency at " + fraction);
        }

        private void httpLatency(double fraction, double maxDeliveriesPerSecond) throws InterruptedException {
            double rate = Math.max(1, fraction * maxDeliveriesPerSecond / n);
            URI base = URI.create("http://127.0.0.1:" + peer.port() + "/");
            HttpTopicPublisher http = new HttpTopicPublisher(base, ScenarioSettings.TOPIC, settings.apiKey(), rate, client.nextSeq());
            Window window;
            try {
                pause(settings.warmupSeconds());
                window = measure();
            } finally {
                client.publishedElsewhere(http.stop());
            }
            // One request at a time (see HttpTopicPublisher): if the server answers slower than
            // the rate, publications queue up in the publisher and the latency shows it.
            results.add(new Measurement(round, target.name(), Metric.HTTP_OFFERED_PER_S, n, percent(fraction), rate));
            results.add(new Measurement(round, target.name(), Metric.HTTP_PUBLISHED_PER_S, n, percent(fraction), http.achievedRate()));
            results.add(new Measurement(round, target.name(), Metric.HTTP_REQUEST_MS, n, percent(fraction), http.meanRequestMillis()));
            if (http.failures() > 0) {
                problems.add(http.failures() + " HTTP publications failed, first: " + http.firstFailure());
            }
            recordLatency(window.stats.latency(), fraction, Metric.HTTP_LATENCY_P50_MS, Metric.HTTP_LATENCY_P99_MS,
                    Metric.HTTP_LATENCY_P999_MS);
            drain("HTTP latency");
        }

        private static int percent(double fraction) {
            return (int) Math.round(fraction * 100);
        }

        private void recordLatency(Histogram latency, double fraction, Metric p50, Metric p99, Metric p999) {
            if (latency.getTotalCount() == 0) {
                problems.add("no message arrived while measuring " + p50.label + " at " + fraction);
                return;
            }
            int load = percent(fraction);
            results.add(new Measurement(round, target.name(), p50, n, load, latency.getValueAtPercentile(50) / 1000.0));
            results.add(new Measurement(round, target.name(), p99, n, load, latency.getValueAtPercentile(99) / 1000.0));
            results.add(new Measurement(round, target.name(), p999, n, load, latency.getValueAtPercentile(99.9) / 1000.0));
        }

        private Window measure() throws InterruptedException {
            String pid = peer.pidText();
            double serverCpuBefore = ProcessStats.cpuSeconds(pid);
            ClientCpu cpu = new ClientCpu();
            client.startWindow();
            pause(settings.measureSeconds());
            WindowStats stats = client.endWindow();
            maxClientCpu = Math.max(maxClientCpu, cpu.percent());
            return new Window(stats, ProcessStats.cpuSeconds(pid) - serverCpuBefore);
        }

        private boolean drain(String phase) throws InterruptedException {
            if (client.awaitDrained(n, settings.settleSeconds(), TimeUnit.SECONDS)) {
                return true;
            }
            problems.add("after " + phase + ": not every subscriber received the last message within "
                    + settings.settleSeconds() + " s");
            return false;
        }
    }

    /** A measurement window is timed by the clock; that is what it measures, not a synchronisation. */
    private static void pause(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    private record Window(WindowStats stats, double serverCpuSeconds) {
    }
}
