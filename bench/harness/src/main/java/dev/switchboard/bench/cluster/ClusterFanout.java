package dev.switchboard.bench.cluster;

import dev.switchboard.bench.client.ConnectionBatch;
import dev.switchboard.bench.client.ConnectionSpec;
import dev.switchboard.bench.client.LoadClient;
import dev.switchboard.bench.client.Protocol;
import dev.switchboard.bench.client.PublisherPlan;
import dev.switchboard.bench.client.Role;
import dev.switchboard.bench.client.WindowStats;
import dev.switchboard.bench.measure.ProcessStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Fan-out at a fixed offered load (open loop, the same rates for every configuration): N
 * subscribers of one topic, one in-band publisher (role publisher) on the first node.
 * Configurations: {@code memory} (1 node, no Redis: the baseline), {@code redis-1} (1 node on
 * Redis), {@code redis-2} (2 nodes on one Redis, subscriber i on node i mod 2, so half the
 * deliveries cross from the publisher's node to the other through Redis). Per configuration: a
 * fresh Redis and fresh nodes, connect, prime, {@code jitSeconds} at the highest rate (not
 * measured), then per rate a warm-up and one window: delivered share of the offer, latency from
 * the intended send time (HdrHistogram), overall and by the subscriber's node, the time until the
 * last subscriber had each publication, and the CPU of nodes and Redis.
 */
final class ClusterFanout {

    /** One configuration of the fan-out part. */
    enum Setup {
        MEMORY("memory", "1 node, in memory (baseline)", 0),
        REDIS_1("redis-1", "1 node on Redis", 1),
        REDIS_2("redis-2", "2 nodes on one Redis, subscribers 50/50, publisher on node 1", 2);

        final String id;
        final String description;
        final int redisNodes;

        Setup(String id, String description, int redisNodes) {
            this.id = id;
            this.description = description;
            this.redisNodes = redisNodes;
        }

        int nodes() {
            return Math.max(1, redisNodes);
        }
    }

    /** Latency of the deliveries to the subscribers of one node. */
    record NodeLatency(String label, long deliveries, double p50, double p99, double p999) {
    }

    /**
     * One window's figures.
     *
     * @param offered     deliveries/s offered (publications/s x N)
     * @param delivered   deliveries/s received
     * @param p50         ms, every delivery
     * @param completeP99 ms, p99 over publications of the time until the last subscriber had it
     * @param byNode      the same split by the subscriber's node (same node as the publisher first)
     * @param nodesCpu    % of one core, all nodes together
     * @param redisCpu    % of one core
     * @param clientCpu   % of the load generator's core
     */
    record Row(Setup setup, double offered, double delivered, double p50, double p99, double p999, double completeP99,
               List<NodeLatency> byNode, double nodesCpu, double redisCpu, double clientCpu) {

        double share() {
            return delivered / offered;
        }
    }

    private final ClusterContext context;

    ClusterFanout(ClusterContext context) {
        this.context = context;
    }

    /** Runs one configuration at every rate; rows go to {@code rows}, problems to {@code problems}. */
    void run(Setup setup, List<Row> rows, List<String> problems) throws Exception {
        int n = context.config().subscribers();
        int nodes = setup.nodes();
        List<ConnectionSpec> specs = new ArrayList<>(n + 1);
        for (int i = 0; i < n; i++) {
            specs.add(new ConnectionSpec(Protocol.NATIVE, Role.SUBSCRIBER, context.tokens().token("sub-" + i), "sub-" + i,
                    i % nodes));
        }
        specs.add(new ConnectionSpec(Protocol.NATIVE, Role.PUBLISHER, context.tokens().token("publisher", "publisher"),
                "publisher", 0));
        try (Topology topology = setup == Setup.MEMORY
                ? Topology.inMemory(context.launcher(), "cluster-" + setup.id)
                : Topology.onRedis(context.launcher(), context.config().redisServer(), context.config().redisCpus(),
                        "cluster-" + setup.id, setup.redisNodes);
             LoadClient client = new LoadClient(topology.addresses(), ClusterContext.TOPIC, context.sourceAddresses())) {
            try {
                ConnectionBatch batch = client.open(specs, context.maxInFlight());
                if (!batch.await(context.settleSeconds(), TimeUnit.SECONDS) || batch.ready() < specs.size()) {
                    problems.add(setup.id + ": " + batch.ready() + " of " + specs.size() + " connections ready");
                    return;
                }
                client.startPublisher(PublisherPlan.atRate(20));
                boolean primed = client.awaitPrimed(n, context.settleSeconds(), TimeUnit.SECONDS);
                client.stopPublisher();
                if (!primed || !drain(client, n, setup.id + " priming", problems)) {
                    problems.add(setup.id + ": not every subscriber received a message");
                    return;
                }
                double highest = context.config().rates().stream().mapToDouble(Double::doubleValue).max().orElse(0);
                client.startPublisher(PublisherPlan.atRate(highest / n));
                pause(context.config().jitSeconds());
                client.stopPublisher();
                drain(client, n, setup.id + " JIT warm-up", problems);
                for (double rate : context.config().rates()) {
                    rows.add(window(setup, topology, client, rate, n));
                    drain(client, n, setup.id + " at " + Math.round(rate) + "/s", problems);
                }
            } finally {
                WindowStats totals = client.totals();
                if (totals.gaps() > 0 || totals.reorders() > 0 || totals.unexpectedCloses() > 0 || totals.errorFrames() > 0) {
                    problems.add(String.format(java.util.Locale.ROOT, "%s: %d gaps, %d reorders, %d unexpected closes, %d error frames",
                            setup.id, totals.gaps(), totals.reorders(), totals.unexpectedCloses(), totals.errorFrames()));
                    totals.problems().stream().limit(3).forEach(p -> problems.add(setup.id + ": " + p));
                }
                problems.addAll(topology.deadNodes(List.of()).stream().map(p -> setup.id + ": " + p).toList());
            }
        }
    }

    private Row window(Setup setup, Topology topology, LoadClient client, double rate, int n) throws InterruptedException {
        client.startPublisher(PublisherPlan.atRate(rate / n));
        pause(context.config().warmupSeconds());
        double nodesBefore = topology.nodesCpuSeconds();
        double redisBefore = topology.redisCpuSeconds();
        double clientBefore = ProcessStats.cpuSeconds("self");
        long start = System.nanoTime();
        client.startWindow();
        pause(context.config().measureSeconds());
        WindowStats stats = client.endWindow();
        double wall = (System.nanoTime() - start) / 1e9;
        double nodesCpu = 100 * (topology.nodesCpuSeconds() - nodesBefore) / wall;
        double redisCpu = 100 * (topology.redisCpuSeconds() - redisBefore) / wall;
        double clientCpu = 100 * (ProcessStats.cpuSeconds("self") - clientBefore) / wall;
        client.stopPublisher();
        List<NodeLatency> byNode = new ArrayList<>();
        for (int i = 0; i < stats.latencyByNode().size(); i++) {
            Histogram h = stats.latencyByNode().get(i);
            String label = setup.nodes() == 1 ? "node 1 (publisher's)"
                    : i == 0 ? "node 1, same node as the publisher" : "node " + (i + 1) + ", across Redis";
            byNode.add(new NodeLatency(label, stats.deliveriesByNode()[i], ms(h, 50), ms(h, 99), ms(h, 99.9)));
        }
        Histogram all = stats.latency();
        Histogram complete = stats.complete();
        return new Row(setup, rate, stats.deliveriesPerSecond(), ms(all, 50), ms(all, 99), ms(all, 99.9),
                ms(complete, 99), byNode, nodesCpu, redisCpu, clientCpu);
    }

    private boolean drain(LoadClient client, int n, String phase, List<String> problems) throws InterruptedException {
        if (client.awaitDrained(n, context.settleSeconds(), TimeUnit.SECONDS)) {
            return true;
        }
        problems.add("after " + phase + ": not every subscriber received the last message within "
                + context.settleSeconds() + " s");
        return false;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A measurement window is timed by the clock; that is what it measures, not a synchronisation. */
    static void pause(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }
}
