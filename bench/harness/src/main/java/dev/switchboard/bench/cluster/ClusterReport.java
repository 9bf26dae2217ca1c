package dev.switchboard.bench.cluster;

import dev.switchboard.bench.measure.Machine;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code docs/benchmarks/cluster.md}: one table per figure, the command, the machine, the placement and the checks. */
final class ClusterReport {

    /** Everything one cluster run measured. */
    record Data(ClusterConfig config, String command, Machine machine, String serverCpus, String clientCpus, Duration took,
                List<ClusterFanout.Row> fanout, List<NodeKillScenario.Kill> kills, List<RedisRestartScenario.Restart> restarts,
                Optional<RedisRestartScenario.Outcome> restartOutcome, List<String> problems) {
    }

    private final Data data;

    ClusterReport(Data data) {
        this.data = data;
    }

    String render() {
        StringBuilder md = new StringBuilder();
        ClusterConfig c = data.config();
        md.append("# Cluster benchmark results\n\n");
        md.append("Written by `bench/run --cluster` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (one run, ").append(data.took().toMinutes()).append(" min ").append(data.took().toSecondsPart())
                .append(" s). Command:\n\n```sh\n").append(data.command()).append("\n```\n\n");
        md.append("| machine | |\n|---|---|\n");
        md.append("| processors (nproc) | ").append(data.machine().processors()).append(" |\n");
        md.append("| CPU | ").append(data.machine().cpuModel()).append(" |\n");
        md.append("| memory | ").append(data.machine().memoryGb()).append(" GiB |\n");
        md.append("| JDK | ").append(data.machine().jdk()).append(" |\n");
        md.append("| OS | ").append(data.machine().os()).append(" |\n");
        md.append("| Redis | ").append(c.redisServer()).append(", no persistence (`--save \"\" --appendonly no`) |\n\n");
        md.append("**Placement.** Every Switchboard node runs pinned to CPU ").append(data.serverCpus())
                .append(" (`taskset`, the suite's server core): in `redis-2` and in the fault parts the two nodes share that core. ")
                .append("Redis runs on CPU ").append(c.redisCpus()).append(sharing(c.redisCpus()))
                .append(" The load generator (one selector thread), the HTTP probes and the harness run on CPU ")
                .append(data.clientCpus()).append(".\n\n");
        fanout(md);
        crossNode(md);
        kills(md);
        restarts(md);
        checks(md);
        return md.toString();
    }

    private String sharing(String redisCpus) {
        if (redisCpus.equals(data.serverCpus())) {
            return ", so Redis shares the nodes' core: the service (nodes plus Redis) has one core in every configuration, as the "
                    + "in-memory baseline has, and its CPU is charged to the service, not to the load generator.";
        }
        if (redisCpus.equals(data.clientCpus())) {
            return ", so Redis shares the load generator's core: Redis's CPU is taken from the load generator, which may delay "
                    + "the receipt of deliveries (counted as latency).";
        }
        return ".";
    }

    private void fanout(StringBuilder md) {
        List<ClusterFanout.Row> rows = data.fanout();
        if (rows.isEmpty()) {
            return;
        }
        ClusterConfig c = data.config();
        md.append("## Fan-out at a fixed offered load\n\n");
        md.append("N = ").append(num(c.subscribers())).append(" subscribers of one topic, one in-band publisher on node 1, ")
                .append("open loop (message i is due at start + i / rate; latency is measured from that intended time, ")
                .append("so a late send counts). The same offered loads for every configuration. Each configuration runs on ")
                .append("freshly started processes: connect, prime, ").append(fmt(c.jitSeconds()))
                .append(" s at the highest rate (not measured), then per rate ").append(fmt(c.warmupSeconds()))
                .append(" s warm-up and a ").append(fmt(c.measureSeconds()))
                .append(" s window. \"last subscriber p99\": per publication, the time until the last of the N had it. ")
                .append("CPU in % of one core over the window.\n\n");
        md.append("| configuration | offered deliveries/s | delivered share | deliveries/s | p50 ms | p99 ms | p99.9 ms | last subscriber p99 ms | nodes CPU % | Redis CPU % | load generator CPU % |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ClusterFanout.Row r : rows) {
            md.append("| ").append(r.setup().id).append(": ").append(r.setup().description).append(" | ").append(num(r.offered()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.3f", r.share())).append(" | ").append(num(r.delivered()))
                    .append(" | ").append(fmt(r.p50())).append(" | ").append(fmt(r.p99())).append(" | ").append(fmt(r.p999()))
                    .append(" | ").append(fmt(r.completeP99())).append(" | ").append(fmt(r.nodesCpu())).append(" | ")
                    .append(r.setup() == ClusterFanout.Setup.MEMORY ? "-" : fmt(r.redisCpu())).append(" | ")
                    .append(fmt(r.clientCpu())).append(" |\n");
        }
        md.append("\n### As ratios to the 1-node in-memory baseline at the same offered load\n\n");
        md.append("Absolute times drift between runs; the ratios within one run are the figures to compare. ")
                .append("Above 1 means slower (latency) or, for deliveries/s, more delivered.\n\n");
        md.append("| configuration | offered deliveries/s | deliveries/s | p50 | p99 | p99.9 | last subscriber p99 | nodes + Redis CPU |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (ClusterFanout.Row r : rows) {
            Optional<ClusterFanout.Row> base = rows.stream()
                    .filter(b -> b.setup() == ClusterFanout.Setup.MEMORY && b.offered() == r.offered()).findFirst();
            if (base.isEmpty() || r.setup() == ClusterFanout.Setup.MEMORY) {
                continue;
            }
            ClusterFanout.Row b = base.get();
            md.append("| ").append(r.setup().id).append(" | ").append(num(r.offered())).append(" | ")
                    .append(ratio(r.delivered(), b.delivered())).append(" | ").append(ratio(r.p50(), b.p50())).append(" | ")
                    .append(ratio(r.p99(), b.p99())).append(" | ").append(ratio(r.p999(), b.p999())).append(" | ")
                    .append(ratio(r.completeP99(), b.completeP99())).append(" | ")
                    .append(ratio(r.nodesCpu() + r.redisCpu(), b.nodesCpu())).append(" |\n");
        }
        md.append('\n');
    }

    private void crossNode(StringBuilder md) {
        List<ClusterFanout.Row> rows = data.fanout().stream().filter(r -> r.byNode().size() > 1).toList();
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Cross-node against same-node latency (redis-2)\n\n");
        md.append("The redis-2 windows above, split by the node the receiving subscriber is on. The publisher is on node 1: ")
                .append("its subscribers get each publication from node 1's own fan-out after the publication went through ")
                .append("Redis (the topic log assigns the offset), node 2's get it after it crossed to node 2 on the Redis bus.\n\n");
        md.append("| offered deliveries/s | subscribers on | deliveries in the window | p50 ms | p99 ms | p99.9 ms |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (ClusterFanout.Row r : rows) {
            for (ClusterFanout.NodeLatency node : r.byNode()) {
                md.append("| ").append(num(r.offered())).append(" | ").append(node.label()).append(" | ")
                        .append(num(node.deliveries())).append(" | ").append(fmt(node.p50())).append(" | ")
                        .append(fmt(node.p99())).append(" | ").append(fmt(node.p999())).append(" |\n");
            }
            ClusterFanout.NodeLatency same = r.byNode().get(0);
            ClusterFanout.NodeLatency cross = r.byNode().get(1);
            md.append("| ").append(num(r.offered())).append(" | **cross / same** | | ").append(ratio(cross.p50(), same.p50()))
                    .append(" | ").append(ratio(cross.p99(), same.p99())).append(" | ").append(ratio(cross.p999(), same.p999()))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void kills(StringBuilder md) {
        if (data.kills().isEmpty()) {
            return;
        }
        md.append("## Time to detect a killed node\n\n");
        md.append("Node B and Redis stay up; each repetition starts a new node A (its own node id), opens a channel on A, ")
                .append("checks that B refuses the same channel (409), sends A SIGKILL, and from the kill tries a fresh connect to ")
                .append("that channel on B every ").append(data.config().probeMillis())
                .append(" ms (plus the attempt's own time) until B grants it (101 and `welcome`).\n\n");
        md.append("| repetition | SIGKILL to B granting the channel (s) | connects tried on B | B's answers until then | B refused while A held it | holder's client saw its connection drop after (s) |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (NodeKillScenario.Kill k : data.kills()) {
            md.append("| ").append(k.repetition()).append(" | ").append(fmt(k.seconds())).append(" | ").append(k.attempts())
                    .append(" | ").append(k.statuses().isEmpty() ? "-" : k.statuses().toString().replaceAll("[{}]", "")
                            .replace("=", " x ")).append(" | ").append(k.refusedFirst() ? "yes (409)" : "**no**").append(" | ")
                    .append(fmt(k.holderLostSeconds())).append(" |\n");
        }
        double[] s = data.kills().stream().mapToDouble(NodeKillScenario.Kill::seconds).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (s.length > 0) {
            md.append("\nMin ").append(fmt(s[0])).append(" s, median ").append(fmt(s[s.length / 2])).append(" s, max ")
                    .append(fmt(s[s.length - 1])).append(" s. ");
        }
        md.append("What bounds it: a node's heartbeat key lives 10 s (`RedisCluster.LEASE`) and is refreshed every 10/3 s, ")
                .append("so a killed node's claims become free 6.7-10 s after the kill, depending on when its last refresh ")
                .append("landed; then B's next attempt wins. The probe interval adds up to ")
                .append(data.config().probeMillis()).append(" ms. The holder's own client learns at once (the kernel resets ")
                .append("the dead process's sockets), so it may reconnect long before the channel is free, and is refused ")
                .append("(409) until then.\n\n");
    }

    private void restarts(StringBuilder md) {
        if (data.restarts().isEmpty()) {
            return;
        }
        ClusterConfig c = data.config();
        md.append("## Catch-up after a Redis restart\n\n");
        md.append("Two nodes on one Redis, N = ").append(num(c.subscribers()))
                .append(" subscribers split 50/50, a publisher posting to node 1's HTTP API at ").append(fmt(c.restartRate()))
                .append("/s, one request at a time, throughout. Redis gets SIGKILL, stays down ").append(fmt(c.redisDownSeconds()))
                .append(" s (less than the 10 s lease: no node fences itself) and is started again on the same port, empty. ")
                .append("\"Up\" = the first PING answered. Times in seconds from \"up\" unless said otherwise; ")
                .append("/health/ready polled every ").append(c.probeMillis()).append(" ms per node.\n\n");
        md.append("| repetition | SIGKILL to up | up to a later publication at every node-1 subscriber | at every node-2 subscriber | at both | up to node 1 accepting a publication (202) | up to node 1's last refusal (503) | /health/ready 200 node 1 | node 2 | kill to first non-200 /health/ready node 1 | node 2 | subscribers closed with 4010 (+ dropped without close frame) and reconnected | up to the last such close | reconnects refused (retried after 100 ms) | up to the last refused reconnect | up to the last one subscribed again |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (RedisRestartScenario.Restart r : data.restarts()) {
            md.append("| ").append(r.repetition()).append(" | ").append(fmt(r.upAfterKill())).append(" | ")
                    .append(fmt(r.reachedByNode()[0])).append(" | ").append(fmt(r.reachedByNode()[1])).append(" | **")
                    .append(fmt(r.reachedBoth())).append("** | ").append(fmt(r.firstAccepted())).append(" | ")
                    .append(fmt(r.lastRefusedPublication())).append(" | ")
                    .append(fmt(r.readyByNode()[0])).append(" | ").append(fmt(r.readyByNode()[1])).append(" | ")
                    .append(fmt(r.notReadyByNode()[0])).append(" | ").append(fmt(r.notReadyByNode()[1])).append(" | ")
                    .append(r.resubscribed() - r.dropped()).append(r.dropped() > 0 ? " (+ " + r.dropped() + ")" : "").append(" | ")
                    .append(fmt(r.lastClosed())).append(" | ")
                    .append(r.refusedReconnects()).append(" | ").append(fmt(r.lastRefusedReconnect())).append(" | ")
                    .append(fmt(r.lastResubscribed())).append(" |\n");
        }
        data.restartOutcome().ifPresent(o -> {
            long refused = o.publishStatuses().entrySet().stream().filter(e -> e.getKey() != 202).mapToLong(java.util.Map.Entry::getValue).sum();
            md.append("\nPublications attempted, by status: ").append(o.publishStatuses().toString().replaceAll("[{}]", "")
                    .replace("=", ": ")).append(" (-1: I/O error or 5 s timeout). Subscribers saw ").append(num(o.gaps()))
                    .append(" missing sequence numbers in all (").append(fmt((double) o.gaps() / o.subscribers()))
                    .append(" per subscriber, against ").append(refused).append(" publications not accepted), ")
                    .append(num(o.reorders())).append(" reorders, ").append(num(o.resubscribed() - o.dropped()))
                    .append(" closes with 4010 and ").append(num(o.dropped()))
                    .append(" connections dropped without a close frame (each followed by a reconnect and a new subscription, whose sequence check starts ")
                    .append("afresh: what a subscriber missed between its close and its new subscription is not counted as a gap) and ")
                    .append(o.unexpectedCloses()).append(" other closes by a node.\n");
        });
        md.append("\nWhat bounds it: each node's Lettuce connections reconnect with exponential back-off from 10 ms up to 2 s ")
                .append("(`RedisConnections`), so the first reconnect after Redis is back may wait up to 2 s; the node is ready ")
                .append("again once both its connections are up (and its pub/sub subscriptions answered). Redis restarted empty, ")
                .append("so the topic's log (epoch, offsets, history) is gone: the nodes' resynchronisation closes every subscriber ")
                .append("of the topic with 4010 (messages lost; resubscribe), and catch-up includes every client's reconnect, ")
                .append("handshake and new subscription (the load generator reconnects at once; a real client's back-off adds to it).\n\n");
    }

    private void checks(StringBuilder md) {
        md.append("## Checks\n\n");
        if (data.problems().isEmpty()) {
            md.append("No problem: every connection ready, every subscriber got every publication it should have (no gap ")
                    .append("or reorder in the fan-out part), no node exited on its own, the load generator stayed under 80 % of its core.\n");
        } else {
            md.append("Problems (figures of the part concerned count only with this in mind):\n\n");
            data.problems().forEach(p -> md.append("- ").append(p).append('\n'));
        }
    }

    static String num(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String fmt(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double abs = Math.abs(value);
        String pattern = abs >= 100 ? "%.0f" : abs >= 10 ? "%.1f" : abs >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, value);
    }

    static String ratio(double value, double base) {
        if (Double.isNaN(value) || Double.isNaN(base) || base <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", value / base);
    }
}
