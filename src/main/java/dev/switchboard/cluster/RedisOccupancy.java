package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Occupancy;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link Occupancy} of the whole deployment, in Redis: the online and offline events of a user
 * whose tabs are on several nodes, and the occupied and vacated events of a topic followed on
 * several, are reported once, by the node whose change moved the deployment's total across 0↔1.
 *
 * <p><b>Layout.</b> One hash per group ({@code sb:occupancy:<kind>:{group}}) maps
 * {@code node\nincarnation} to that node's members. One script raises or lowers this node's count
 * and returns the live total before and after: entries of a node whose heartbeat no longer holds
 * their incarnation are left out and deleted (as {@link RedisPresence} does).
 *
 * <p><b>Departed nodes.</b> A node killed outright never says that its users left. Every node
 * writes {@code node\nincarnation} into a set of writers; {@link #reapDeparted} (run by every node's
 * periodic upkeep) finds the writers whose heartbeat is gone and deletes their shares, reporting
 * each group that this empties, once across the deployment. Until then, a dead writer's share
 * counts in a change's "before": its members were reported and not yet reported gone.
 *
 * <p><b>Renewal.</b> This node keeps its own shares in memory (an entry per group it has members
 * in, so bounded by its sessions and subscriptions). {@link #resync()} writes them again under
 * the node's current incarnation and renews the hashes' TTL: it runs every {@code keyTtl / 3}, and
 * the wiring runs it when the heartbeat regains its lease. A hash that only dead nodes wrote to
 * expires {@code keyTtl} after its last write.
 *
 * <p><b>Order.</b> A group's change and its report run under one of a fixed set of local locks, so
 * this node reports a group's crossings in the order Redis made them.
 *
 * <p><b>Errors.</b> Events are advisory: a Redis failure is logged (WARNING) and the crossing, if
 * any, is not reported. Thread safe.
 */
public final class RedisOccupancy implements Occupancy, AutoCloseable {

    private static final Logger LOG = System.getLogger(RedisOccupancy.class.getName());
    private static final int LOCK_STRIPES = 64;

    /**
     * Lua that {@link #CHANGE} and {@link #REAP} share: {@code live(node, incarnation)} (memoised per
     * script run), and {@code totals(hash)}, which deletes the shares of dead writers and returns the
     * sum of all shares before (dead ones included: their members were reported and not yet
     * reported gone) and the sum of the live ones. ARGV[1], ARGV[2]: alivePrefix, aliveSuffix.
     */
    private static final String TOTALS = """
            local liveness = {}
            local function live(node, nodeInc)
              local id = node .. '\\n' .. nodeInc
              local state = liveness[id]
              if state == nil then
                state = redis.call('GET', ARGV[1] .. node .. ARGV[2]) == nodeInc
                liveness[id] = state
              end
              return state
            end
            local function totals(hash)
              local all, alive = 0, 0
              local fields = redis.call('HGETALL', hash)
              for i = 1, #fields, 2 do
                local count = tonumber(fields[i + 1])
                all = all + count
                local node, nodeInc = string.match(fields[i], '^([^\\n]*)\\n(.*)$')
                if node and live(node, nodeInc) then
                  alive = alive + count
                else
                  redis.call('HDEL', hash, fields[i])
                end
              end
              return all, alive
            end
            """;

    /**
     * KEYS: group hash, nodeAlive(self), writers. ARGV: alivePrefix, aliveSuffix, node, delta, ttlMs.
     * {before, after} totals, or {} if this node has no heartbeat (then nothing is written). Before
     * counts dead writers' shares: a group whose last live member leaves is reported empty even if a
     * dead node's share was still there, and one whose members were all on dead nodes is not
     * reported occupied again when someone joins before {@link #reapDeparted} reported it empty.
     */
    private static final LuaScript CHANGE = new LuaScript("count a group's members", TOTALS + """
            local inc = redis.call('GET', KEYS[2])
            if not inc then return {} end
            local before = totals(KEYS[1])
            local field = ARGV[3] .. '\\n' .. inc
            if redis.call('HINCRBY', KEYS[1], field, ARGV[4]) <= 0 then
              redis.call('HDEL', KEYS[1], field)
            end
            redis.call('SADD', KEYS[3], field)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            local _, after = totals(KEYS[1])
            return {before, after}
            """);

    /** KEYS: group hash. ARGV: alivePrefix, aliveSuffix. {before, after}: the dead writers' shares deleted. */
    private static final LuaScript REAP = new LuaScript("forget a group's departed members", TOTALS + """
            local before, after = totals(KEYS[1])
            return {before, after}
            """);

    /** KEYS: writers. ARGV: alivePrefix, aliveSuffix. The writers ({@code node\nincarnation}) that are dead. */
    private static final LuaScript DEPARTED = new LuaScript("find departed writers", TOTALS + """
            local departed = {}
            for _, writer in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local node, nodeInc = string.match(writer, '^([^\\n]*)\\n(.*)$')
              if not (node and live(node, nodeInc)) then
                table.insert(departed, writer)
              end
            end
            return departed
            """);

    /** KEYS: group hash, nodeAlive(self), writers. ARGV: node, count, ttlMs. Writes this node's share as it is. */
    private static final LuaScript PUT_SHARE = new LuaScript("renew a group's count", """
            local inc = redis.call('GET', KEYS[2])
            if not inc then return 0 end
            redis.call('HSET', KEYS[1], ARGV[1] .. '\\n' .. inc, ARGV[2])
            redis.call('SADD', KEYS[3], ARGV[1] .. '\\n' .. inc)
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """);

    private final RedisConnections redis;
    private final String kind;
    private final String nodeId;
    private final String ttlMs;
    private final String writers;
    private final Object[] locks = new Object[LOCK_STRIPES];
    /** This node's members per group, as Redis took them; no entry at zero. */
    private final Map<String, Integer> shares = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher;

    /**
     * @param kind what is counted ({@code user}, {@code topic}): part of the key
     * @param keyTtl how long a group's hash outlives its last change
     */
    public RedisOccupancy(RedisConnections redis, String kind, String nodeId, Duration keyTtl) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.ttlMs = Long.toString(keyTtl.toMillis());
        this.writers = RedisKeys.occupancyWriters(kind);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
        this.refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-occupancy-" + kind);
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, keyTtl.toMillis() / 3);
        refresher.scheduleWithFixedDelay(this::resyncQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Writes this node's shares again under its current incarnation and renews their TTL. Reports
     * nothing: a total that this moves across 0↔1 (after a lost lease) is not an event.
     *
     * @throws ClusterUnavailableException if Redis fails; what was written stays written
     */
    public void resync() {
        for (Map.Entry<String, Integer> share : shares.entrySet()) {
            PUT_SHARE.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                    new String[] {key(share.getKey()), RedisKeys.nodeAlive(nodeId), writers}, nodeId,
                    Integer.toString(share.getValue()), ttlMs);
        }
    }

    /** Stops the periodic renewal. */
    @Override
    public void close() {
        refresher.shutdownNow();
    }

    private void resyncQuietly() {
        try {
            resync();
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Counts of " + kind + "s not renewed in Redis; next try in a third of the TTL", e);
        }
    }

    private String key(String group) {
        return RedisKeys.occupancy(kind, group);
    }

    @Override
    public void enter(String group, Runnable onFirst) {
        change(group, 1, onFirst);
    }

    @Override
    public void leave(String group, Runnable onLast) {
        change(group, -1, onLast);
    }

    /**
     * {@inheritDoc} Cheap while no writer departed: one script over the writers' set. After a
     * departure it walks this kind's hashes with SCAN (never KEYS) and reaps each; only then are
     * the departed writers dropped from the set, so a walk cut short by an error is done again.
     * Several nodes may reap at once: each group's crossing is reported by the one whose script
     * made it.
     *
     * @throws ClusterUnavailableException if Redis fails; what was reaped and reported stays so
     */
    @Override
    public void reapDeparted(Consumer<String> onEmptied) {
        List<String> departed = DEPARTED.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {writers}, RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX);
        if (departed.isEmpty()) {
            return;
        }
        try {
            redis.scanKeys(RedisKeys.occupancyPattern(kind), key -> {
                String group = RedisKeys.groupOfOccupancy(kind, key);
                if (group != null) {
                    reap(group, onEmptied);
                }
                return true;
            });
            redis.commands().sync().srem(writers, departed.toArray(String[]::new));
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Cannot reap the " + kind + "s of departed nodes in Redis: "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip(), e);
        }
        LOG.log(Level.DEBUG, "Reaped the {0}s of departed nodes {1}", kind, departed);
    }

    private void reap(String group, Consumer<String> onEmptied) {
        synchronized (lock(group)) {
            List<Long> totals = REAP.run(redis.commands().sync(), ScriptOutputType.MULTI, kind + " " + group,
                    new String[] {key(group)}, RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX);
            if (totals.get(0) > 0 && totals.get(1) <= 0) {
                onEmptied.accept(group);
            }
        }
    }

    private Object lock(String group) {
        return locks[Math.floorMod(group.hashCode(), LOCK_STRIPES)];
    }

    private void change(String group, int delta, Runnable onCrossing) {
        synchronized (lock(group)) {
            // The local truth changes whatever Redis says: resync() writes it again.
            shares.compute(group, (key, now) -> {
                int next = (now == null ? 0 : now) + delta;
                return next <= 0 ? null : next;
            });
            List<Long> totals;
            try {
                totals = CHANGE.run(redis.commands().sync(), ScriptOutputType.MULTI, kind + " " + group,
                        new String[] {key(group), RedisKeys.nodeAlive(nodeId), writers},
                        RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX, nodeId, Integer.toString(delta),
                        ttlMs);
            } catch (ClusterUnavailableException e) {
                LOG.log(Level.WARNING, "Online/occupied count of " + kind + " " + group + " not changed; its event, "
                        + "if any, is not reported", e);
                return;
            }
            if (totals.size() != 2) {
                LOG.log(Level.DEBUG, "Node {0} has no heartbeat; {1} {2} not counted", nodeId, kind, group);
                return;
            }
            long before = totals.get(0);
            long after = totals.get(1);
            if (delta > 0 ? before <= 0 && after > 0 : before > 0 && after <= 0) {
                onCrossing.run();
            }
        }
    }
}
