package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterParts;
import dev.switchboard.broker.Occupancy;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.RedeliveryPolicy;
import dev.switchboard.broker.RevocationList;
import dev.switchboard.broker.TicketStore;
import java.time.Clock;
import jakarta.json.bind.Jsonb;
import java.time.Duration;

/**
 * Cluster mode: the broker's shared parts, all on one Redis (standalone or Sentinel), made once
 * at start-up when {@code SWITCHBOARD_REDIS_URI} is set. Owns this node's two Redis connections
 * and its heartbeat; {@link #close()} stops them (the heartbeat key is deleted, so this node's
 * channels are free at once after a clean stop).
 *
 * <p>Liveness: a node counts as alive while its heartbeat key exists; it is refreshed every third
 * of {@link #LEASE}, so a node killed outright frees its channels within the lease. A node that
 * could not refresh it for longer than the lease must stop serving its channels ({@link
 * #onLeaseLost}): by then another node may have been granted them.
 */
public final class RedisCluster implements AutoCloseable {

    /** How long a node's heartbeat outlives its last refresh: the bound on freeing a dead node's channels. */
    public static final Duration LEASE = NodeHeartbeat.DEFAULT_LEASE;

    private final RedisConnections connections;
    private final NodeHeartbeat heartbeat;
    private final RedisClusterBus bus;
    private final RedisPresence presence;
    private final RedisOccupancy users;
    private final RedisOccupancy topics;
    private final ClusterParts parts;
    /** Made on first use (the wiring asks once); null until then. */
    private RedisRevocationList revocations;

    private RedisCluster(RedisConnections connections, String nodeId, Jsonb jsonb, HistoryPolicy history,
            RedeliveryPolicy redelivery, Duration reservationTimeout) {
        this.connections = connections;
        DeliveryCodec codec = new DeliveryCodec(jsonb);
        this.heartbeat = new NodeHeartbeat(connections, nodeId, LEASE);
        // Ready only while other nodes can see this one: its heartbeat key written since the last reconnect.
        this.bus = new RedisClusterBus(connections, codec, nodeId, RedisClusterBus.DEFAULT_RESYNC_INTERVAL,
                heartbeat::holdsKey);
        this.presence = new RedisPresence(connections, nodeId, jsonb, LEASE);
        this.parts = new ClusterParts(bus, new RedisTopicLog(connections, codec, history),
                new RedisChannelRegistry(connections, reservationTimeout), new RedisInbox(connections, codec, redelivery),
                presence);
        // The heartbeat first: claims and presence entries count only under this node's live incarnation.
        heartbeat.start();
        // After a lost lease this node has a new incarnation: its presence entries are written again under it.
        heartbeat.onLeaseRegained(presence::resync);
        this.users = new RedisOccupancy(connections, "user", nodeId, RedisPresence.DEFAULT_KEY_TTL);
        this.topics = new RedisOccupancy(connections, "topic", nodeId, RedisPresence.DEFAULT_KEY_TTL);
        heartbeat.onLeaseRegained(users::resync);
        heartbeat.onLeaseRegained(topics::resync);
    }

    /**
     * Connects to the Redis at {@code uri} ({@code redis://}, {@code rediss://} or
     * {@code redis-sentinel://}) and starts this node's heartbeat. A channel reservation that no
     * session binds stops counting after {@code reservationTimeout}.
     *
     * @throws IllegalArgumentException if the URI is malformed
     * @throws IllegalStateException if Redis cannot be reached (one line naming SWITCHBOARD_REDIS_URI)
     */
    public static RedisCluster connect(String uri, String nodeId, Jsonb jsonb, HistoryPolicy history,
            RedeliveryPolicy redelivery, Duration reservationTimeout) {
        RedisConnections connections = new RedisConnections(uri, RedisConnections.DEFAULT_COMMAND_TIMEOUT);
        try {
            requireSupportedVersion(connections);
            return new RedisCluster(connections, nodeId, jsonb, history, redelivery, reservationTimeout);
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    /** Redis 6.2 or newer: the topic log reads its streams with exclusive ranges (6.2). */
    private static void requireSupportedVersion(RedisConnections connections) {
        String info = connections.commands().sync().info("server");
        String version = info.lines().filter(line -> line.startsWith("redis_version:"))
                .map(line -> line.substring("redis_version:".length()).strip()).findFirst().orElse("0");
        String[] parts = version.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        if (major < 6 || major == 6 && minor < 2) {
            throw new IllegalStateException("SWITCHBOARD_REDIS_URI names Redis " + version
                    + "; cluster mode needs Redis 6.2 or newer");
        }
    }

    /** Each user's open sessions across the deployment, for the online and offline events. */
    public Occupancy userOccupancy() {
        return users;
    }

    /** Each topic's subscriptions across the deployment, for the occupied and vacated events. */
    public Occupancy topicOccupancy() {
        return topics;
    }

    /** The parts to build the broker with. */
    public ClusterParts parts() {
        return parts;
    }

    /**
     * Runs {@code fence} once each time this node has been cut off from Redis for longer than its
     * lease (self-fencing: the node closes its channel sessions, which other nodes may now grant).
     */
    public void onLeaseLost(Runnable fence) {
        heartbeat.onLeaseLost(fence);
    }

    /**
     * The cluster's revocations, loaded from Redis, on the pub/sub channel of revocations, reloaded
     * every {@code reloadEvery}. Made on the first call; later calls return the same list.
     *
     * @throws dev.switchboard.broker.ClusterUnavailableException if Redis cannot be reached
     */
    public synchronized RevocationList revocations(Clock clock, Duration reloadEvery) {
        if (revocations == null) {
            revocations = new RedisRevocationList(connections, clock, reloadEvery);
        }
        return revocations;
    }

    /** The cluster's connection tickets, taken on any node. */
    public TicketStore tickets() {
        return new RedisTicketStore(connections);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (revocations != null) {
                revocations.close();
            }
        }
        bus.close();
        presence.close();
        users.close();
        topics.close();
        heartbeat.close();
        connections.close();
    }
}
