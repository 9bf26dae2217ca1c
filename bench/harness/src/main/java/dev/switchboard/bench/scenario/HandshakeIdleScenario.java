package dev.switchboard.bench.scenario;

import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import dev.switchboard.bench.measure.HeapProbe;
import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerProcess;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Handshake rate with JWT, then idle capacity, on a fresh peer: N clients connect (each with its
 * own token and channel; STOMP: upgrade plus CONNECT) at most {@code maxInFlight} at a time;
 * handshakes/s = N / (first connect .. last ready). With the N sessions idle, the peer's live
 * heap (after a full GC, via jcmd) and RSS are compared with the same figures before the first
 * connection: the difference per session. Threads are counted with N sessions open.
 */
public final class HandshakeIdleScenario {

    public static final String NAME = "handshake+idle";

    private final ScenarioSettings settings;
    private final Results results;

    public HandshakeIdleScenario(ScenarioSettings settings, Results results) {
        this.settings = settings;
        this.results = results;
    }

    public void run(int round, Target target, int n) throws Exception {
        List<ConnectionSpec> specs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            specs.add(new ConnectionSpec(target.protocol(), Role.IDLE, settings.tokens().token("idle-" + i), "idle-" + i));
        }
        try (PeerProcess peer = settings.launcher().start(target.peer(), "r" + round + "-" + target + "-idle-" + n)) {
            String pid = peer.pidText();
            long heapBefore = HeapProbe.liveHeapKb(peer.pid());
            long rssBefore = ProcessStats.rssKb(pid);
            try (LoadClient client = new LoadClient(new InetSocketAddress("127.0.0.1", peer.port()),
                    ScenarioSettings.TOPIC, settings.sourceAddresses())) {
                ClientCpu cpu = new ClientCpu();
                ConnectionBatch batch = client.open(specs, settings.maxInFlight());
                boolean settled = batch.await(settings.settleSeconds(), TimeUnit.SECONDS);
                double clientCpu = cpu.percent();
                long heapAfter = HeapProbe.liveHeapKb(peer.pid());
                long rssAfter = ProcessStats.rssKb(pid);
                long threads = ProcessStats.threads(pid);
                WindowStats totals = client.totals();

                if (batch.ready() > 0) {
                    results.add(new Measurement(round, target.name(), Metric.HANDSHAKES_PER_S, n, batch.ready() / batch.seconds()));
                    results.add(new Measurement(round, target.name(), Metric.HEAP_PER_SESSION, n, (heapAfter - heapBefore) / (double) batch.ready()));
                    results.add(new Measurement(round, target.name(), Metric.RSS_PER_SESSION, n, (rssAfter - rssBefore) / (double) batch.ready()));
                    results.add(new Measurement(round, target.name(), Metric.THREADS_IDLE, n, threads));
                }
                List<String> problems = new ArrayList<>(totals.problems());
                if (!settled) {
                    problems.add(0, (n - batch.ready() - batch.failed()) + " connections neither ready nor failed after "
                            + settings.settleSeconds() + " s");
                }
                if (!peer.isAlive()) {
                    problems.add(0, "peer exited (log: " + peer.log() + ")");
                }
                results.add(new Check(round, target.name(), NAME, n, clientCpu, n - batch.ready(), totals.unexpectedCloses(),
                        totals.gaps(), totals.reorders(), totals.errorFrames(), problems));
            }
        }
    }
}
