package dev.switchboard.it;

import dev.switchboard.cluster.RedisServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A cluster: {@code size} standalone-jar processes (nodes {@code <name>-a}, {@code <name>-b}, ...)
 * sharing one real Redis, each on its own port as a load balancer would see them.
 *
 * <p>{@link #of} shares the JVM's {@link RedisServer#shared()} (emptied first) for one test class:
 * register it with {@code @RegisterExtension}. {@link #onOwnRedis} starts a private Redis that the
 * test may kill, pause and restart; use it in try-with-resources ({@link #start()}, {@link #close()}),
 * which stops the nodes and that Redis.
 */
final class ClusterNodes implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private final String name;
    private final int size;
    private final Map<String, String> settings;
    /** Null: the shared Redis; else whether the private one keeps an append-only file. */
    private final Boolean ownRedisAppendOnly;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private RedisServer redis;

    private ClusterNodes(String name, int size, Map<String, String> settings, Boolean ownRedisAppendOnly) {
        this.name = name;
        this.size = size;
        this.settings = Map.copyOf(settings);
        this.ownRedisAppendOnly = ownRedisAppendOnly;
    }

    static ClusterNodes of(String name, int size, Map<String, String> settings) {
        return new ClusterNodes(name, size, settings, null);
    }

    /** A cluster on a Redis of its own ({@link RedisServer#startOwn(boolean)}); call {@link #start()}. */
    static ClusterNodes onOwnRedis(String name, int size, Map<String, String> settings, boolean appendOnly) {
        return new ClusterNodes(name, size, settings, appendOnly);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    /** Starts Redis (or empties the shared one) and the nodes; returns once every node is ready. */
    ClusterNodes start() throws IOException {
        if (ownRedisAppendOnly == null) {
            redis = RedisServer.shared();
            redis.flushAll();
        } else {
            redis = RedisServer.startOwn(ownRedisAppendOnly);
        }
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(startNode(i));
            }
        } catch (IOException | RuntimeException e) {
            // In try-with-resources nobody else would stop what did start.
            try {
                close();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                e.addSuppressed(interrupted);
            }
            throw e;
        }
        return this;
    }

    private ServerProcess startNode(int index) throws IOException {
        Map<String, String> nodeSettings = new LinkedHashMap<>(settings);
        nodeSettings.put("redis.uri", redis.uri());
        nodeSettings.put("node.id", nodeId(index));
        return ServerProcess.start(nodeId(index), nodeSettings);
    }

    /** The node id of the {@code index}th node: {@code <name>-a}, {@code <name>-b}, ... */
    String nodeId(int index) {
        return name + "-" + (char) ('a' + index);
    }

    /** The {@code index}th node (0 = a). */
    ServerProcess node(int index) {
        return nodes.get(index);
    }

    List<ServerProcess> all() {
        return List.copyOf(nodes);
    }

    RedisServer redis() {
        return redis;
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        close();
    }

    /** Stops every node still running, then the private Redis if this cluster has one. */
    @Override
    public void close() throws InterruptedException {
        try {
            for (ServerProcess node : nodes) {
                node.close();
            }
        } finally {
            if (ownRedisAppendOnly != null && redis != null) {
                redis.close();
            }
        }
    }
}
