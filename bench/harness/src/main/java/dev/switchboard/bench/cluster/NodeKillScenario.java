package dev.switchboard.bench.cluster;

import dev.switchboard.bench.peer.PeerProcess;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long the cluster takes to notice a killed node: a channel is held by a session on node A;
 * node B refuses the same channel (409, channel policy {@code reject}); A gets SIGKILL; from the
 * kill, a fresh connect to that channel is tried on B every {@code probeMillis} until B grants it
 * (101 and {@code welcome}). Each repetition starts a new node A with its own node id (a node
 * restarted under the same id would overwrite its heartbeat key and free its old claims at once,
 * which is not the case measured). B and Redis stay up across the repetitions.
 */
final class NodeKillScenario {

    /**
     * One repetition.
     *
     * @param seconds      from the SIGKILL to B granting the channel; NaN if it never did
     * @param attempts     connects tried on B after the kill
     * @param refusedFirst whether B refused the channel while A held it (else the figure means nothing)
     * @param statuses     status of each refused attempt, counted (409 expected)
     */
    record Kill(int repetition, double seconds, int attempts, boolean refusedFirst, Map<Integer, Integer> statuses,
                double holderLostSeconds) {
    }

    private static final double GIVE_UP_SECONDS = 30;

    private final ClusterContext context;

    NodeKillScenario(ClusterContext context) {
        this.context = context;
    }

    void run(List<Kill> kills, List<String> problems) throws Exception {
        List<PeerProcess> killed = new ArrayList<>();
        try (Topology topology = Topology.onRedis(context.launcher(), context.config().redisServer(),
                context.config().redisCpus(), "cluster-kill", 1)) {
            InetSocketAddress nodeB = topology.addresses().get(0);
            try {
                for (int rep = 1; rep <= context.config().kills(); rep++) {
                    PeerProcess nodeA = topology.addNode("cluster-kill-a" + rep);
                    InetSocketAddress addressA = new InetSocketAddress("127.0.0.1", nodeA.port());
                    kills.add(once(rep, nodeA, addressA, nodeB, killed, problems));
                }
            } finally {
                problems.addAll(topology.deadNodes(killed));
            }
        }
    }

    private Kill once(int rep, PeerProcess nodeA, InetSocketAddress addressA, InetSocketAddress nodeB,
                      List<PeerProcess> killed, List<String> problems) throws InterruptedException {
        String channel = "held-" + rep;
        int timeout = 5_000;
        try (HandshakeProbe holder = HandshakeProbe.connect(addressA, channel, context.tokens().token("holder-" + rep), timeout)) {
            if (!holder.granted()) {
                problems.add("kill " + rep + ": node A did not grant the channel (status " + holder.status() + ")");
                return new Kill(rep, Double.NaN, 0, false, Map.of(), Double.NaN);
            }
            boolean refusedFirst;
            try (HandshakeProbe before = HandshakeProbe.connect(nodeB, channel, context.tokens().token("taker-" + rep), timeout)) {
                refusedFirst = before.status() == 409;
                if (!refusedFirst) {
                    problems.add("kill " + rep + ": node B answered " + before.status() + " while A held the channel (409 expected)");
                }
            }
            long killedAt = System.nanoTime();
            nodeA.kill();
            killed.add(nodeA);
            // How soon the holder's client notices (the kernel resets the TCP connection of a dead process).
            double holderLost = holder.lost(2_000) ? (System.nanoTime() - killedAt) / 1e9 : Double.NaN;
            Map<Integer, Integer> statuses = new TreeMap<>();
            int attempts = 0;
            String token = context.tokens().token("taker-" + rep);
            while ((System.nanoTime() - killedAt) / 1e9 < GIVE_UP_SECONDS) {
                attempts++;
                try (HandshakeProbe probe = HandshakeProbe.connect(nodeB, channel, token, timeout)) {
                    if (probe.granted()) {
                        return new Kill(rep, (System.nanoTime() - killedAt) / 1e9, attempts, refusedFirst, statuses, holderLost);
                    }
                    statuses.merge(probe.status(), 1, Integer::sum);
                }
                Thread.sleep(context.config().probeMillis());
            }
            problems.add("kill " + rep + ": node B did not grant the channel within " + GIVE_UP_SECONDS + " s of the kill");
            return new Kill(rep, Double.NaN, attempts, refusedFirst, statuses, holderLost);
        }
    }
}
