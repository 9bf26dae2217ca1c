package dev.switchboard.bench.cluster;

import dev.switchboard.bench.measure.ProcessStats;
import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.peer.PeerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes of one configuration: an optional Redis and one or more Switchboard nodes on it
 * (or one node in memory), all started by the harness on free ports and stopped by
 * {@link #close()} (nodes first, then Redis). Nodes are pinned to the server CPU set like every
 * peer of the suite; Redis to its own CPU set ({@code bench.cluster.redis.cpus}).
 */
final class Topology implements AutoCloseable {

    private final PeerLauncher launcher;
    private final Path redisServer;
    private final String redisCpus;
    private final String name;
    private PeerProcess redis;
    private final List<PeerProcess> nodes = new ArrayList<>();

    private Topology(PeerLauncher launcher, Path redisServer, String redisCpus, String name) {
        this.launcher = launcher;
        this.redisServer = redisServer;
        this.redisCpus = redisCpus;
        this.name = name;
    }

    /** One node, everything in memory (no Redis). */
    static Topology inMemory(PeerLauncher launcher, String name) throws IOException {
        Topology topology = new Topology(launcher, null, null, name);
        try {
            topology.nodes.add(launcher.startSwitchboard(name + "-node", List.of()));
            return topology;
        } catch (IOException | RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    /** A fresh Redis and {@code nodeCount} nodes on it, named {@code <name>-n1}, {@code -n2}, ... */
    static Topology onRedis(PeerLauncher launcher, Path redisServer, String redisCpus, String name, int nodeCount)
            throws IOException {
        Topology topology = new Topology(launcher, redisServer, redisCpus, name);
        try {
            topology.redis = launcher.startRedis(redisServer, name + "-redis", 0, redisCpus);
            for (int i = 1; i <= nodeCount; i++) {
                topology.addNode(name + "-n" + i);
            }
            return topology;
        } catch (IOException | RuntimeException e) {
            topology.close();
            throw e;
        }
    }

    /** Starts another node on this Redis with this node id (also the log's name). */
    PeerProcess addNode(String nodeId) throws IOException {
        PeerProcess node = launcher.startSwitchboard(nodeId, List.of(
                "-Dswitchboard.redis.uri=redis://127.0.0.1:" + redis.port(),
                "-Dswitchboard.node.id=" + nodeId));
        nodes.add(node);
        return node;
    }

    /** SIGKILL to Redis (no persistence: its data is gone). */
    void killRedis() throws InterruptedException {
        redis.kill();
    }

    /** Starts Redis again on the same port, empty. */
    void restartRedis(int generation) throws IOException {
        redis = launcher.startRedis(redisServer, name + "-redis-" + generation, redis.port(), redisCpus);
    }

    int redisPort() {
        return redis.port();
    }

    List<PeerProcess> nodes() {
        return nodes;
    }

    List<InetSocketAddress> addresses() {
        return nodes.stream().map(n -> new InetSocketAddress("127.0.0.1", n.port())).toList();
    }

    /** CPU seconds used so far by the nodes still alive. */
    double nodesCpuSeconds() {
        return nodes.stream().filter(PeerProcess::isAlive).mapToDouble(n -> ProcessStats.cpuSeconds(n.pidText())).sum();
    }

    /** CPU seconds used so far by Redis (0 without one). */
    double redisCpuSeconds() {
        return redis != null && redis.isAlive() ? ProcessStats.cpuSeconds(redis.pidText()) : 0;
    }

    /** Nodes that exited on their own (not killed by a scenario), for the checks. */
    List<String> deadNodes(List<PeerProcess> killedOnPurpose) {
        return nodes.stream().filter(n -> !n.isAlive() && !killedOnPurpose.contains(n))
                .map(n -> "node exited (log: " + n.log() + ")").toList();
    }

    @Override
    public void close() {
        nodes.forEach(PeerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }
}
