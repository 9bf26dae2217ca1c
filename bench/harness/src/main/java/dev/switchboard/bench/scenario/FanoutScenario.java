package dev.switchboard.bench.scenario;

import dev.switchboard.bench.client.ChurnPlan;
import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.HttpTopicPublisher;
import dev.switchboard.bench.client.HttpUserPusher;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.Protocol;
import dev.switchboard.bench.client.PublisherPlan;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import dev.switchboard.bench.measure.HeapProbe;
import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerKind;
import dev.switchboard.bench.peer.PeerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * One run against a freshly started peer with N subscribers of one topic and one in-band
 * publisher (role publisher). Phases, each adding figures:
 *
 * <ol>
 *   <li><b>Connect</b>: after a warm-up (idle clients connect and leave), N + 1 clients with their own JWT, {@code maxInFlight} at a time:
 *       handshakes/s (upgrade and token check; STOMP: and CONNECT). Then, the N sessions
 *       subscribed and idle: live heap (after a full GC) and RSS minus the same before the first
 *       connection, per session; threads.</li>
 *   <li><b>Prime</b>: publish slowly until every subscriber received a message (a RECEIPT or
 *       {@code subscribed} may come before the subscription is live, e.g. on Spring). Each
 *       subscriber's sequence check starts at its first message.</li>
 *   <li><b>Maximum</b>: the saturating publisher keeps at most {@code window} deliveries undelivered
 *       (as messages per subscriber), then open-loop steps above that while the server keeps up;
 *       deliveries/s, and deliveries per server CPU-second from {@code /proc/<pid>/stat}.</li>
 *   <li><b>Latency</b>: open loop at each fraction of that maximum, latency from the intended
 *       send time, plus the time until the last subscriber had each message; for Switchboard's
 *       native target also through the HTTP API, and per-user pushes through the HTTP API.</li>
 *   <li><b>Churn</b>: at the middle load, a share of extra subscribers keeps connecting,
 *       subscribing and closing; latency of the stable subscribers, compared with the same load
 *       without churn, and completed connect-subscribe-close lives per second.</li>
 *   <li><b>Overload</b>: open loop at more than the maximum (1.5x by default): the share of the
 *       maximum still delivered, latency, subscribers closed, time to drain the backlog.</li>
 *   <li><b>Slow consumers</b>: the subscribers chosen as slow (small receive buffer) stop
 *       reading; latency of the others at the middle load, compared with the same load without
 *       them.</li>
 * </ol>
 * After each phase the run waits until every (reading) subscriber got the last message sent: a
 * message that never arrives shows as a drain failure here or as a gap at the next phase.
 */
public final class FanoutScenario {

    public static final String NAME = "fan-out";

    private final ScenarioSettings settings;
    private final Results results;

    public FanoutScenario(ScenarioSettings settings, Results results) {
        this.settings = settings;
        this.results = results;
    }

    public void run(int round, Target target, int n, FanoutPlan plan) throws Exception {
        List<ConnectionSpec> specs = new ArrayList<>(n + 1);
        int slow = plan.slowFraction() > 0 ? Math.max(1, (int) Math.round(n * plan.slowFraction())) : 0;
        int slowEvery = slow > 0 ? n / slow : 0;
        for (int i = 0; i < n; i++) {
            // Slow consumers are chosen now: their small receive buffer must be set before connecting.
            Role role = slow > 0 && i % slowEvery == 0 && i / slowEvery < slow ? Role.SLOW_SUBSCRIBER : Role.SUBSCRIBER;
            specs.add(new ConnectionSpec(target.protocol(), role, settings.tokens().token("sub-" + i), "sub-" + i));
        }
        specs.add(new ConnectionSpec(target.protocol(), Role.PUBLISHER, settings.tokens().token("publisher", "publisher"), "publisher"));
        try (PeerProcess peer = settings.launcher().start(target.peer(), "r" + round + "-" + target + "-" + n);
             LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", peer.port()), ScenarioSettings.TOPIC,
                     settings.sourceAddresses())) {
            new Run(round, target, n, peer, client, plan).execute(specs);
        }
    }

    /** One run's state: the phases add measurements and problems as they go. */
    private final class Run {
        private final int round;
        private final Target target;
        private final int n;
        private final PeerProcess peer;
        private final LoadClient client;
        private final FanoutPlan plan;
        private final List<String> problems = new ArrayList<>();
        private double maxClientCpu;
        private int failedConnections;
        /** Subscribers still reading (all but the slow consumers of the last phase). */
        private int reading;
        /** p99 (ms) at the middle load without slow consumers, for the slow-consumer comparison. */
        private double baselineP99 = -1;

        Run(int round, Target target, int n, PeerProcess peer, LoadClient client, FanoutPlan plan) {
            this.round = round;
            this.target = target;
            this.n = n;
            this.peer = peer;
            this.client = client;
            this.plan = plan;
            this.reading = n;
        }

        void execute(List<ConnectionSpec> specs) throws InterruptedException {
            try {
                if (!connect(specs) || !prime()) {
                    return;
                }
                double max = maximum();
                if (max <= 0 || plan.fractions().isEmpty()) {
                    return;
                }
                double middle = plan.fractions().get(plan.fractions().size() / 2);
                for (double fraction : plan.fractions()) {
                    latency(fraction, max);
                }
                if (plan.httpLatency() && target.peer() == PeerKind.SWITCHBOARD && target.protocol() == Protocol.NATIVE) {
                    httpLatency(middle, max);
                    userPush();
                }
                if (plan.churnFraction() > 0) {
                    churn(middle, max);
                }
                if (plan.overload() > 0 && !overload(max)) {
                    return; // not drained: the slow-consumer phase would measure the backlog
                }
                if (plan.slowFraction() > 0) {
                    slowConsumers(middle, max); // last: a peer without slow-consumer handling may not recover
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
            warmUpHandshakes();
            String pid = peer.pidText();
            boolean jvm = target.peer().isJvm();
            long heapBefore = jvm ? HeapProbe.settledLiveHeapKb(peer.pid()) : 0;
            long rssBefore = ProcessStats.rssKb(pid);
            ClientCpu cpu = new ClientCpu();
            ConnectionBatch batch = client.open(specs, settings.maxInFlight());
            boolean settled = batch.await(settings.settleSeconds(), TimeUnit.SECONDS);
            maxClientCpu = Math.max(maxClientCpu, cpu.percent());
            failedConnections = specs.size() - batch.ready();
            if (!settled || failedConnections > 0) {
                problems.add(failedConnections + " of " + specs.size() + " connections not ready");
                return false;
            }
            add(Metric.HANDSHAKES_PER_S, 0, batch.handshakesPerSecond());
            if (jvm) {
                add(Metric.HEAP_PER_SESSION, 0, (HeapProbe.liveHeapKb(peer.pid()) - heapBefore) / (double) specs.size());
            }
            long rssAfter = ProcessStats.rssKb(pid);
            add(Metric.RSS_PER_SESSION, 0, (rssAfter - rssBefore) / (double) specs.size());
            add(Metric.THREADS_IDLE, 0, ProcessStats.threads(pid));
            return true;
        }

        /**
         * A fresh JVM runs its handshake code interpreted at first: connect and close some idle
         * clients before the measured connect, so the handshake rate is the warm one. The heap
         * baseline is taken once the server let go of them ({@link HeapProbe#settledLiveHeapKb}).
         */
        private void warmUpHandshakes() throws InterruptedException {
            int count = settings.handshakeWarmup();
            if (count <= 0) {
                return;
            }
            List<ConnectionSpec> warmUp = new ArrayList<>(count);
            String token = settings.tokens().token("warm-up");
            for (int i = 0; i < count; i++) {
                warmUp.add(new ConnectionSpec(target.protocol(), Role.IDLE, token, "warm-up-" + i));
            }
            ConnectionBatch batch = client.open(warmUp, settings.maxInFlight());
            if (!batch.await(settings.settleSeconds(), TimeUnit.SECONDS) || batch.failed() > 0) {
                problems.add("handshake warm-up: " + batch.ready() + " of " + count + " connections ready");
            }
            client.closeBatch(batch);
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

        /**
         * The maximum: first what a saturating publisher gets (at most {@code window} deliveries
         * outstanding, as messages per subscriber), then open-loop steps at {@code searchStep} times the best so far
         * while the server keeps up (delivers at least 95 % of what is offered): a server whose
         * cost per message grows with its queues (Spring's executors) delivers more in open loop
         * than when saturated. The window with the most deliveries/s gives the figures.
         */
        private double maximum() throws InterruptedException {
            client.startPublisher(PublisherPlan.saturating(settings.messagesInFlight(n)));
            pause(settings.warmupSeconds());
            Window best = measure();
            client.stopPublisher();
            add(Metric.SATURATED_DELIVERIES_PER_S, 0, best.stats.deliveriesPerSecond());
            drain("maximum (saturating)");
            client.expectCloses(true);
            try {
                for (int step = 0; step < plan.searchSteps(); step++) {
                    double offered = best.stats.deliveriesPerSecond() * plan.searchStep();
                    Window window = openLoop(1.0, offered);
                    drain("maximum (open loop at " + Math.round(offered) + "/s)");
                    if (window.stats.deliveriesPerSecond() > best.stats.deliveriesPerSecond()) {
                        best = window;
                    }
                    if (window.stats.deliveriesPerSecond() < 0.95 * offered) {
                        break; // it no longer keeps up: the best so far is the maximum
                    }
                }
            } finally {
                client.expectCloses(false);
            }
            int closed = client.expectedCloses();
            if (closed > 0) {
                problems.add(closed + " subscribers closed by the server while searching the maximum");
            }
            reading = client.subscribersReady();
            double max = best.stats.deliveriesPerSecond();
            add(Metric.FANOUT_DELIVERIES_PER_S, 0, max);
            if (best.serverCpuSeconds > 0) {
                add(Metric.DELIVERIES_PER_CPU_S, 0, best.stats.deliveries() / best.serverCpuSeconds);
            }
            add(Metric.SERVER_CPU_PERCENT, 0, 100 * best.serverCpuSeconds / best.stats.seconds());
            return max;
        }

        private void latency(double fraction, double max) throws InterruptedException {
            Window window = openLoop(fraction, max);
            recordLatency(window.stats.latency(), fraction, Metric.LATENCY_P50_MS, Metric.LATENCY_P99_MS, Metric.LATENCY_P999_MS);
            if (fraction == plan.fractions().get(plan.fractions().size() / 2) && window.stats.latency().getTotalCount() > 0) {
                // the baseline for the churn and slow-consumer phases, which run at this load
                baselineP99 = window.stats.latency().getValueAtPercentile(99) / 1000.0;
            }
            Histogram complete = window.stats.complete();
            if (complete.getTotalCount() > 0) {
                add(Metric.COMPLETE_P99_MS, percent(fraction), complete.getValueAtPercentile(99) / 1000.0);
                add(Metric.SPREAD_P99_MS, percent(fraction), window.stats.spread().getValueAtPercentile(99) / 1000.0);
            }
            add(Metric.LATENCY_RATE_PER_S, percent(fraction), window.stats.deliveriesPerSecond());
            drain("latency at " + fraction);
        }

        private void slowConsumers(double fraction, double max) throws InterruptedException {
            double closedBefore = slowConsumersClosedBySwitchboard();
            int before = reading;
            int stalled = client.stallSlowSubscribers();
            reading = client.subscribersReady() - stalled;
            Window window = openLoop(fraction, max * reading / before);
            recordLatency(window.stats.latency(), fraction, Metric.SLOW_HEALTHY_P50_MS, Metric.SLOW_HEALTHY_P99_MS,
                    Metric.SLOW_HEALTHY_P999_MS);
            versusBaseline(Metric.SLOW_P99_VS_BASELINE, fraction, window.stats.latency());
            add(Metric.SLOW_STALLED, percent(fraction), stalled);
            if (closedBefore >= 0) {
                add(Metric.SLOW_CLOSED, percent(fraction), slowConsumersClosedBySwitchboard() - closedBefore);
            }
            drain("slow consumers");
        }

        /**
         * Open loop at {@code plan.overload()} times the maximum: how much of the maximum still
         * gets delivered (a collapse shows as a small share), the latency, how many subscribers
         * the server closed, and how long the backlog takes to drain afterwards.
         */
        private boolean overload(double max) throws InterruptedException {
            double fraction = plan.overload();
            int closedBefore = client.expectedCloses();
            client.expectCloses(true);
            try {
                Window window = openLoop(fraction, max);
                add(Metric.OVERLOAD_DELIVERED_SHARE, percent(fraction), window.stats.deliveriesPerSecond() / max);
                recordLatency(window.stats.latency(), fraction, Metric.OVERLOAD_P50_MS, Metric.OVERLOAD_P99_MS,
                        Metric.OVERLOAD_P999_MS);
                long drainStart = System.nanoTime();
                reading = client.subscribersReady();
                boolean drained = drain("overload");
                if (drained) {
                    add(Metric.OVERLOAD_DRAIN_S, percent(fraction), (System.nanoTime() - drainStart) / 1e9);
                }
                add(Metric.OVERLOAD_CLOSED, percent(fraction), client.expectedCloses() - closedBefore);
                reading = client.subscribersReady();
                return drained;
            } finally {
                client.expectCloses(false);
            }
        }

        /** Churners come and go while publishing at {@code fraction}; latency of the stable subscribers. */
        private void churn(double fraction, double max) throws InterruptedException {
            int concurrent = Math.max(1, (int) Math.round(n * plan.churnFraction()));
            client.startChurn(new ChurnPlan(target.protocol(), settings.tokens().token("churner"), concurrent,
                    plan.churnLifetimeMillis()));
            Window window;
            LoadClient.ChurnResult churned;
            try {
                window = openLoop(fraction, max);
            } finally {
                churned = client.stopChurn();
            }
            recordLatency(window.stats.latency(), fraction, Metric.CHURN_P50_MS, Metric.CHURN_P99_MS, Metric.CHURN_P999_MS);
            versusBaseline(Metric.CHURN_P99_VS_BASELINE, fraction, window.stats.latency());
            add(Metric.CHURN_LIVES_PER_S, percent(fraction), churned.livesPerSecond());
            if (churned.failures() > 0) {
                problems.add(churned.failures() + " churn connections failed");
            }
            drain("churn");
        }

        private void versusBaseline(Metric metric, double fraction, Histogram latency) {
            if (baselineP99 > 0 && latency.getTotalCount() > 0) {
                add(metric, percent(fraction), latency.getValueAtPercentile(99) / 1000.0 / baselineP99);
            }
        }

        /** Switchboard's own count of sessions closed with 4008 ({@code GET /api/v1/stats}); -1 for other peers. */
        private double slowConsumersClosedBySwitchboard() {
            if (target.peer() != PeerKind.SWITCHBOARD) {
                return -1;
            }
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.port() + "/api/v1/stats"))
                                .header("Authorization", "Bearer " + settings.apiKey()).build(),
                        HttpResponse.BodyHandlers.ofString());
                Matcher total = SLOW_CLOSED_FIELD.matcher(response.body());
                return total.find() ? Double.parseDouble(total.group(1)) : -1;
            } catch (IOException e) {
                problems.add("GET /api/v1/stats failed: " + e);
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** Open loop at {@code fraction} of {@code max} deliveries/s, warm-up, then one window. */
        private Window openLoop(double fraction, double max) throws InterruptedException {
            client.startPublisher(PublisherPlan.atRate(Math.max(1, fraction * max / reading)));
            pause(settings.warmupSeconds());
            Window window = measure();
            client.stopPublisher();
            return window;
        }

        private void httpLatency(double fraction, double max) throws InterruptedException {
            double rate = Math.max(1, fraction * max / n);
            URI base = URI.create("http://127.0.0.1:" + peer.port() + "/");
            HttpTopicPublisher http = new HttpTopicPublisher(base, ScenarioSettings.TOPIC, settings.apiKey(), rate, client.nextSeq());
            Window window;
            try {
                pause(settings.warmupSeconds());
                window = measure();
            } finally {
                client.publishedElsewhere(http.stop());
            }
            if (http.failures() > 0) {
                problems.add(http.failures() + " HTTP publications failed, first: " + http.firstFailure());
            }
            // One request at a time (see HttpTopicPublisher): if the server answers slower than
            // the rate, publications queue up in the publisher and the latency shows it.
            add(Metric.HTTP_OFFERED_PER_S, percent(fraction), rate);
            add(Metric.HTTP_PUBLISHED_PER_S, percent(fraction), http.achievedRate());
            add(Metric.HTTP_REQUEST_MS, percent(fraction), http.meanRequestMillis());
            recordLatency(window.stats.latency(), fraction, Metric.HTTP_LATENCY_P50_MS, Metric.HTTP_LATENCY_P99_MS,
                    Metric.HTTP_LATENCY_P999_MS);
            drain("HTTP latency");
        }

        /** Per-user push through the HTTP API at {@code pushRate}, round robin over the N subscribers' users. */
        private void userPush() throws InterruptedException {
            List<String> users = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                users.add("sub-" + i);
            }
            URI base = URI.create("http://127.0.0.1:" + peer.port() + "/");
            HttpUserPusher pusher = new HttpUserPusher(base, settings.apiKey(), users, plan.pushRate(),
                    Math.min(8, n - 1));
            long pushed;
            try {
                pause(settings.warmupSeconds());
                client.startWindow();
                pause(settings.measureSeconds());
                client.endWindow();
            } finally {
                pushed = pusher.stop();
            }
            Histogram latency = client.userLatency();
            if (pusher.failures() > 0) {
                problems.add(pusher.failures() + " user pushes failed, first: " + pusher.firstFailure());
            }
            add(Metric.PUSH_OFFERED_PER_S, 0, plan.pushRate());
            add(Metric.PUSH_ACHIEVED_PER_S, 0, pusher.achievedRate());
            add(Metric.PUSH_REQUEST_MS, 0, pusher.meanRequestMillis());
            if (latency.getTotalCount() > 0) {
                add(Metric.PUSH_P50_MS, 0, latency.getValueAtPercentile(50) / 1000.0);
                add(Metric.PUSH_P99_MS, 0, latency.getValueAtPercentile(99) / 1000.0);
                add(Metric.PUSH_P999_MS, 0, latency.getValueAtPercentile(99.9) / 1000.0);
            } else {
                problems.add("no user push arrived while measuring");
            }
            if (!client.awaitUserDeliveries(pushed - pusher.failures(), settings.settleSeconds(), TimeUnit.SECONDS)) {
                problems.add("not every user push arrived within " + settings.settleSeconds() + " s");
            }
        }

        private void recordLatency(Histogram latency, double fraction, Metric p50, Metric p99, Metric p999) {
            if (latency.getTotalCount() == 0) {
                problems.add("no message arrived while measuring " + p50.label + " at " + fraction);
                return;
            }
            add(p50, percent(fraction), latency.getValueAtPercentile(50) / 1000.0);
            add(p99, percent(fraction), latency.getValueAtPercentile(99) / 1000.0);
            add(p999, percent(fraction), latency.getValueAtPercentile(99.9) / 1000.0);
        }

        private void add(Metric metric, int loadPercent, double value) {
            results.add(new Measurement(round, target.name(), metric, n, loadPercent, value));
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
            if (client.awaitDrained(reading, settings.settleSeconds(), TimeUnit.SECONDS)) {
                return true;
            }
            problems.add("after " + phase + ": not every reading subscriber received the last message within "
                    + settings.settleSeconds() + " s");
            return false;
        }
    }

    /** The first "slowConsumersClosed" of the stats body is the cluster total. */
    private static final Pattern SLOW_CLOSED_FIELD = Pattern.compile("\"slowConsumersClosed\"\\s*:\\s*(\\d+)");

    private static int percent(double fraction) {
        return (int) Math.round(fraction * 100);
    }

    /** A measurement window is timed by the clock; that is what it measures, not a synchronisation. */
    private static void pause(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }

    private record Window(WindowStats stats, double serverCpuSeconds) {
    }
}
