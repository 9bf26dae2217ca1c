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
 * A cluster for one test class: {@code size} standalone-jar processes (nodes {@code <name>-a},
 * {@code <name>-b}, ...) sharing one real Redis ({@link RedisServer#shared()}, emptied first), each
 * on its own port as a load balancer would see them. Register with {@code @RegisterExtension}.
 */
final class ClusterNodes implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final int size;
    private final Map<String, String> settings;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private RedisServer redis;

    private ClusterNodes(String name, int size, Map<String, String> settings) {
        this.name = name;
        this.size = size;
        this.settings = Map.copyOf(settings);
    }

    static ClusterNodes of(String name, int size, Map<String, String> settings) {
        return new ClusterNodes(name, size, settings);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        redis = RedisServer.shared();
        redis.flushAll();
        for (int i = 0; i < size; i++) {
            nodes.add(startNode(i));
        }
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
        for (ServerProcess node : nodes) {
            node.close();
        }
    }
}
