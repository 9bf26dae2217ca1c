package dev.switchboard.config;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.LocalOccupancy;
import dev.switchboard.broker.Occupancy;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.ClusterParts;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.InMemoryInbox;
import dev.switchboard.broker.InMemoryTopicLog;
import dev.switchboard.broker.InMemoryRevocationList;
import dev.switchboard.broker.InMemoryTicketStore;
import dev.switchboard.broker.RevocationList;
import dev.switchboard.broker.TicketStore;
import dev.switchboard.broker.MemoryBudget;
import dev.switchboard.broker.RedeliveryPolicy;
import dev.switchboard.broker.SessionRegistry;
import dev.switchboard.broker.SubscriptionRegistry;
import dev.switchboard.cluster.RedisCluster;
import jakarta.json.bind.Jsonb;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The one place where single node or cluster is decided (docs/architecture.md, Principles: choose the implementation
 * once, at start-up; no {@code if (redisEnabled)} in the broker): without {@code
 * SWITCHBOARD_REDIS_URI} every shared part is in memory; with it, every shared part is on that
 * Redis. Owns the Redis connections in cluster mode and closes them at shutdown.
 */
final class ClusterMode implements AutoCloseable {

    private static final Logger LOG = System.getLogger(ClusterMode.class.getName());
    /** A handshake that reserved a channel but never opened (client vanished mid-upgrade) frees it after this. */
    private static final Duration RESERVATION_TIMEOUT = Duration.ofSeconds(30);

    /** How often a node reloads the revocations from Redis, in case it missed an announcement. */
    private static final Duration REVOCATION_RELOAD = Duration.ofSeconds(5);
    /** Unused tickets one node keeps at most (each lives 30 s): bounds a flood of ticket requests. */
    private static final int TICKET_CAPACITY = 100_000;

    private final RedisCluster redis;

    private ClusterMode(RedisCluster redis) {
        this.redis = redis;
    }

    /**
     * Connects to Redis if the configuration names one.
     *
     * @throws ConfigurationException if the URI is malformed or Redis cannot be reached (one line)
     */
    static ClusterMode choose(SwitchboardConfig config, Jsonb jsonb, HistoryPolicy history,
            RedeliveryPolicy redelivery) {
        if (config.redisUri().isEmpty()) {
            return new ClusterMode(null);
        }
        try {
            RedisCluster redis = RedisCluster.connect(config.redisUri().get(), config.nodeId(), jsonb, history,
                    redelivery, RESERVATION_TIMEOUT);
            LOG.log(Level.INFO, "Cluster mode: node {0} on Redis", config.nodeId());
            return new ClusterMode(redis);
        } catch (IllegalArgumentException | IllegalStateException | ClusterUnavailableException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    /** The shared parts: on Redis in cluster mode, else in this process. */
    ClusterParts parts(SessionRegistry sessions, SubscriptionRegistry subscriptions, SwitchboardConfig config,
            HistoryPolicy history, RedeliveryPolicy redelivery, MemoryBudget budget, Clock clock) {
        if (redis != null) {
            return redis.parts();
        }
        // A fresh epoch per start: the in-memory log keeps no history across restarts.
        String epoch = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        return ClusterParts.singleNode(new InMemoryTopicLog(epoch, history, budget, clock),
                new InMemoryChannelRegistry(clock, RESERVATION_TIMEOUT), new InMemoryInbox(redelivery, budget),
                sessions, subscriptions, config.nodeId());
    }

    /** Counts each user's open sessions for the online and offline events: across nodes in cluster mode. */
    Occupancy userOccupancy() {
        return redis == null ? new LocalOccupancy() : redis.userOccupancy();
    }

    /** Counts each topic's subscriptions for the occupied and vacated events: across nodes in cluster mode. */
    Occupancy topicOccupancy() {
        return redis == null ? new LocalOccupancy() : redis.topicOccupancy();
    }

    /**
     * The revocations: in Redis in cluster mode (they survive restarts; every node hears each one),
     * else in memory (lost on restart).
     */
    RevocationList revocations(Clock clock) {
        if (redis == null) {
            return new InMemoryRevocationList(clock);
        }
        try {
            return redis.revocations(clock, REVOCATION_RELOAD);
        } catch (ClusterUnavailableException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    /** Connection tickets: in Redis in cluster mode (taken on any node), else in memory. */
    TicketStore tickets(Clock clock) {
        return redis == null ? new InMemoryTicketStore(clock, TICKET_CAPACITY) : redis.tickets();
    }

    /**
     * In cluster mode, self-fencing: once this node has been cut off from Redis for longer than its
     * lease, other nodes may grant its channels, so it closes its own channel sessions (1013) and
     * their clients reconnect to a node that reaches Redis.
     */
    void fenceChannelsOf(Broker broker) {
        if (redis != null) {
            redis.onLeaseLost(() -> {
                LOG.log(Level.WARNING, "Cut off from Redis for longer than the {0} s lease: closing this node''s "
                        + "channel sessions with {1}", RedisCluster.LEASE.toSeconds(),
                        String.valueOf(CloseCode.TRY_AGAIN_LATER.code())); // 4009, not "4,009"
                broker.disconnectChannelSessions(CloseCode.TRY_AGAIN_LATER);
            });
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
