package dev.switchboard.bench.scenario;

import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.PublisherPlan;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The open-loop rate sweep of one peer at one N, on a freshly started peer: N subscribers of one
 * topic and one in-band publisher, then, lowest rate first, one window per offered load
 * ({@link SweepPlan#rates}): publication i is due at start + i / rate whatever the peer does and
 * carries that time, so latency counts queueing in the peer and in the publisher alike. A step is
 * sustained when everything offered was delivered within the window with p99 within the limit
 * ({@link SweepStep#sustained}); the sweep stops climbing at the first step the peer did not keep up
 * with at all ({@link SweepStep#keptUp}), once it has reached the fixed comparison load. Why open
 * loop: a saturating publisher measures a peer with every subscriber's queue full, where latency is
 * seconds and no user runs (issue 14).
 */
public final class RateSweep {

    public static final String NAME = "rate sweep";

    private final ScenarioSettings settings;
    private final SweepPlan plan;
    private final Results results;

    public RateSweep(ScenarioSettings settings, SweepPlan plan, Results results) {
        this.settings = settings;
        this.plan = plan;
        this.results = results;
    }

    /** Sweeps {@code target} at {@code n} subscribers; each step goes to the results and to {@code progress}. */
    public void run(Target target, int n, Consumer<SweepStep> progress) throws Exception {
        List<ConnectionSpec> specs = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            specs.add(new ConnectionSpec(target.protocol(), Role.SUBSCRIBER, settings.tokens().token("sub-" + i), "sub-" + i));
        }
        specs.add(new ConnectionSpec(target.protocol(), Role.PUBLISHER, settings.tokens().token("publisher", "publisher"), "publisher"));
        try (PeerProcess peer = settings.launcher().start(target.peer(), "sweep-" + target + "-" + n);
             LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", peer.port()), ScenarioSettings.TOPIC,
                     settings.sourceAddresses())) {
            new Run(target, n, peer, client, progress).execute(specs);
        }
    }

    /** One sweep's state. */
    private final class Run {
        private final Target target;
        private final int n;
        private final PeerProcess peer;
        private final LoadClient client;
        private final Consumer<SweepStep> progress;
        private final List<String> problems = new ArrayList<>();
        /** Client CPU of the windows whose figures count (sustained ones): the run's check. */
        private double countedClientCpu;
        private int failedConnections;
        private long faultsSoFar;

        Run(Target target, int n, PeerProcess peer, LoadClient client, Consumer<SweepStep> progress) {
            this.target = target;
            this.n = n;
            this.peer = peer;
            this.client = client;
            this.progress = progress;
        }

        void execute(List<ConnectionSpec> specs) throws InterruptedException {
            try {
                if (!connect(specs) || !prime()) {
                    return;
                }
                // Overload may make a peer close subscribers: a result of the step (a fault, so not
                // sustained), not a failure of the run.
                client.expectCloses(true);
                publishUnmeasured(plan.fixedRate(), plan.jitSeconds());
                double sustained = ladder();
                if (plan.halfLoad() && sustained > 0 && !plan.rates().contains(sustained / 2)) {
                    // After the ladder's last (failed) step: only on a peer that caught up, or it would measure that backlog.
                    if (drain("the last step") && client.subscribersReady() == n) {
                        record(window(sustained / 2, 1, true));
                    } else {
                        problems.add("no window at 50 % of sustained: the peer did not catch up after its last step");
                    }
                }
            } finally {
                WindowStats totals = client.totals();
                List<String> all = new ArrayList<>(problems);
                all.addAll(totals.problems());
                if (!peer.isAlive()) {
                    all.add(0, "peer exited (log: " + peer.log() + ")");
                }
                // Faults in windows past the sustained rate are that step's result (reported there), not the run's.
                results.add(new Check(1, target.name(), NAME, n, countedClientCpu, failedConnections, 0, 0, 0, 0, all));
            }
        }

        /**
         * Steps up the rates while the peer keeps up (a step missed on p99 alone still climbs, so
         * the report can say how much it keeps up with at any latency); returns the sustained rate
         * (the highest step sustained with every lower one), 0 if none.
         */
        private double ladder() throws InterruptedException {
            double sustained = 0;
            boolean failed = false;
            boolean fellBehind = false;
            for (double rate : plan.rates()) {
                if (fellBehind && rate > plan.fixedRate()) {
                    break; // behind and past the comparison load: further steps only pile up backlog
                }
                SweepStep step = window(rate, 1, false);
                record(step);
                if (plan.retry() && step.retryable()) {
                    step = window(rate, 2, false);
                    record(step);
                }
                if (step.sustained() && !failed) {
                    sustained = rate;
                    countedClientCpu = Math.max(countedClientCpu, step.clientCpu());
                } else {
                    failed = true;
                }
                fellBehind |= !step.keptUp();
                if (!step.drained() || client.subscribersReady() < n) {
                    break; // a backlog left or subscribers lost would spoil every later window
                }
            }
            return sustained;
        }

        private void record(SweepStep step) {
            results.add(step);
            progress.accept(step);
        }

        private boolean connect(List<ConnectionSpec> specs) throws InterruptedException {
            ConnectionBatch batch = client.open(specs, settings.maxInFlight());
            boolean settled = batch.await(settings.settleSeconds(), TimeUnit.SECONDS);
            failedConnections = specs.size() - batch.ready();
            if (!settled || failedConnections > 0) {
                problems.add(failedConnections + " of " + specs.size() + " connections not ready");
                return false;
            }
            return true;
        }

        /** Slow publishing until every subscriber got a message (a receipt may come before the subscription is live). */
        private boolean prime() throws InterruptedException {
            client.startPublisher(PublisherPlan.atRate(Math.max(1, Math.min(20, 20_000.0 / n))));
            boolean primed = client.awaitPrimed(n, settings.settleSeconds(), TimeUnit.SECONDS);
            client.stopPublisher();
            if (!primed) {
                problems.add("not every subscriber received a message within " + settings.settleSeconds() + " s");
                return false;
            }
            return drain("priming");
        }

        private void publishUnmeasured(double rate, double seconds) throws InterruptedException {
            if (seconds <= 0) {
                return;
            }
            client.startPublisher(PublisherPlan.atRate(rate / n));
            pause(seconds);
            client.stopPublisher();
            drain("the JIT warm-up");
            faultsSoFar = faults(client.totals());
        }

        /** Open loop at {@code rate} deliveries/s: warm-up, one measured window, then a drain. */
        private SweepStep window(double rate, int attempt, boolean halfLoad) throws InterruptedException {
            client.startPublisher(PublisherPlan.atRate(rate / n));
            pause(plan.warmupSeconds());
            ProcessStats.CpuTimes serverBefore = ProcessStats.cpuTimes(peer.pidText());
            double clientBefore = ProcessStats.cpuSeconds("self");
            long start = System.nanoTime();
            client.startWindow();
            pause(plan.seconds());
            WindowStats stats = client.endWindow();
            Histogram lag = client.sendLag();
            double wall = (System.nanoTime() - start) / 1e9;
            ProcessStats.CpuTimes serverAfter = ProcessStats.cpuTimes(peer.pidText());
            double serverCpu = 100 * (serverAfter.total() - serverBefore.total()) / wall;
            double serverKernelCpu = 100 * (serverAfter.system() - serverBefore.system()) / wall;
            double clientCpu = 100 * (ProcessStats.cpuSeconds("self") - clientBefore) / wall;
            client.stopPublisher();
            boolean drained = drain(String.format(Locale.ROOT, "%,.0f/s", rate));
            long faults = faults(client.totals());
            long newFaults = faults - faultsSoFar;
            faultsSoFar = faults;
            Histogram latency = stats.latency();
            return new SweepStep(target.name(), n, rate, stats.deliveriesPerSecond(), ms(latency, 50), ms(latency, 99),
                    ms(latency, 99.9), serverCpu, serverKernelCpu, clientCpu, ms(lag, 99), drained, newFaults, attempt, halfLoad, loadAverage(),
                    plan.p99LimitMillis(), plan.minShare(), Check.CLIENT_CPU_LIMIT, plan.clientLagLimitMillis());
        }

        private long faults(WindowStats totals) {
            return totals.gaps() + totals.reorders() + totals.unexpectedCloses() + totals.errorFrames() + client.expectedCloses();
        }

        private boolean drain(String phase) throws InterruptedException {
            if (client.awaitDrained(client.subscribersReady(), settings.settleSeconds(), TimeUnit.SECONDS)) {
                return true;
            }
            if (phase.equals("priming")) {
                problems.add("after priming, not every subscriber received the last message within " + settings.settleSeconds() + " s");
            }
            return false;
        }
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The 1-minute load average: the report says how busy the machine was. */
    private static double loadAverage() {
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
