package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.NodeReport;
import dev.switchboard.broker.Presence;
import dev.switchboard.broker.SessionRecord;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link Presence} of the whole deployment, in Redis. Each node writes its own sessions and
 * subscriptions; readers leave out (and delete) what a dead node wrote.
 *
 * <p><b>Layout.</b> {@link RedisKeys#userSessions} maps session id to
 * {@code node\nincarnation\nJSON of the SessionRecord}; {@link RedisKeys#topicPresence} maps
 * {@code node\nincarnation\nuser} to how many of the node's sessions of that user follow the topic;
 * {@link RedisKeys#nodeReport} holds a node's latest {@link NodeReport} as JSON and
 * {@link RedisKeys#NODES} the ids of the nodes that reported.
 *
 * <p><b>Liveness.</b> An entry counts while its node's heartbeat key holds the incarnation it was
 * written under (see {@link NodeHeartbeat}); the scripts copy the incarnation from the key when
 * they write, and a write of a node without heartbeat is skipped. Readers delete dead entries as
 * they meet them. A report counts while its node's heartbeat key exists.
 *
 * <p><b>Local truth and errors.</b> This node keeps its own open sessions and topic counts in
 * memory (bounded by its open sessions), and Redis holds a copy. Presence is advisory, so
 * {@link #opened}, {@link #closed}, {@link #joined} and {@link #left} never fail the session:
 * a Redis error is logged (WARNING) and a failed removal is remembered. {@link #resync()} writes
 * the whole local truth again under the current incarnation and retries the remembered removals;
 * it runs every {@code keyTtl / 3} on this instance's own thread, and the wiring should also run
 * it on {@link NodeHeartbeat#onLeaseRegained} (after a lost lease every entry of the old
 * incarnation is dead). Topic counts are written as absolute values from the local truth, not
 * {@code HINCRBY}, so a retried or repeated write never drifts. The reads ({@link #sessionsOf},
 * {@link #sessionCount}, {@link #usersOf}, {@link #nodes}) throw {@link ClusterUnavailableException}.
 *
 * <p><b>TTLs.</b> Every write sets the user or topic hash to expire after {@code keyTtl} (default
 * {@link #DEFAULT_KEY_TTL}), and {@link #resync()} renews it for every key this node still uses:
 * a hash that only crashed nodes wrote to disappears within {@code keyTtl}, while a session open
 * for days keeps its entry. A report expires after {@code 3 x lease}. {@code NODES} is pruned by
 * {@link #nodes}. Thread safe.
 */
public final class RedisPresence implements Presence, AutoCloseable {

    /** How long a user or topic hash lives after this node last wrote or renewed it. */
    public static final Duration DEFAULT_KEY_TTL = Duration.ofHours(6);

    private static final Logger LOG = System.getLogger(RedisPresence.class.getName());

    /** KEYS: userSessions, nodeAlive(self). ARGV: node, sessionId, json, ttlMs. 1 if written, 0 if fenced. */
    private static final LuaScript PUT_SESSION = new LuaScript("record a session", """
            local inc = redis.call('GET', KEYS[2])
            if not inc then return 0 end
            redis.call('HSET', KEYS[1], ARGV[2], ARGV[1] .. '\\n' .. inc .. '\\n' .. ARGV[3])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return 1
            """);

    /** KEYS: topicPresence, nodeAlive(self). ARGV: node, user, count, ttlMs. 1 if written, 0 if fenced. */
    private static final LuaScript PUT_TOPIC_USER = new LuaScript("record a topic's user", """
            local inc = redis.call('GET', KEYS[2])
            if not inc then return 0 end
            local field = ARGV[1] .. '\\n' .. inc .. '\\n' .. ARGV[2]
            if tonumber(ARGV[3]) > 0 then
              redis.call('HSET', KEYS[1], field, ARGV[3])
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
            else
              redis.call('HDEL', KEYS[1], field)
            end
            return 1
            """);

    /** Liveness of node\ninc, cached per script run; deletes the dead entries it meets. */
    private static final String LIVE = """
            local liveness = {}
            local function live(node, inc)
              local id = node .. '\\n' .. inc
              local state = liveness[id]
              if state == nil then
                state = redis.call('GET', ARGV[1] .. node .. ARGV[2]) == inc
                liveness[id] = state
              end
              return state
            end
            """;

    /** KEYS: userSessions. ARGV: alivePrefix, aliveSuffix, 'list'|'count'. The live records' JSON, or their number. */
    private static final LuaScript SESSIONS_OF = new LuaScript("read a user's sessions", LIVE + """
            local out = {}
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local node, inc, json = string.match(all[i + 1], '^([^\\n]*)\\n([^\\n]*)\\n(.*)$')
              if node and live(node, inc) then
                table.insert(out, json)
              else
                redis.call('HDEL', KEYS[1], all[i])
              end
            end
            if ARGV[3] == 'count' then return #out end
            return out
            """);

    /** KEYS: topicPresence. ARGV: alivePrefix, aliveSuffix. The distinct users of live nodes. */
    private static final LuaScript USERS_OF = new LuaScript("read a topic's users", LIVE + """
            local out = {}
            local seen = {}
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local node, inc, user = string.match(all[i], '^([^\\n]*)\\n([^\\n]*)\\n(.*)$')
              if node and live(node, inc) then
                if not seen[user] and tonumber(all[i + 1]) > 0 then
                  seen[user] = true
                  table.insert(out, user)
                end
              else
                redis.call('HDEL', KEYS[1], all[i])
              end
            end
            return out
            """);

    /**
     * KEYS: NODES, nodeReport(self). ARGV: alivePrefix, aliveSuffix, reportSuffix, self, json, ttlMs.
     * Writes this node's report, then replies the reports of the other live nodes; prunes dead ones.
     */
    private static final LuaScript NODES = new LuaScript("exchange node reports", """
            redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
            redis.call('SADD', KEYS[1], ARGV[4])
            local out = {}
            for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if node ~= ARGV[4] then
                local report = false
                if redis.call('EXISTS', ARGV[1] .. node .. ARGV[2]) == 1 then
                  report = redis.call('GET', ARGV[1] .. node .. ARGV[3])
                end
                if report then
                  table.insert(out, report)
                else
                  redis.call('SREM', KEYS[1], node)
                  redis.call('DEL', ARGV[1] .. node .. ARGV[3])
                end
              end
            end
            return out
            """);

    /** A report as JSON; figures kept in order, which a plain {@code Map} would not promise. Public for JSON-B. */
    public static final class ReportWire {
        public String node;
        public LinkedHashMap<String, Long> figures;
    }

    /** A topic and a user of this node, the key of the local topic counts. */
    private record TopicUser(String topic, String user) {
    }

    /** A removal that failed, retried by {@link #resync()}. */
    private record Removal(String user, String sessionId) {
    }

    private final RedisConnections redis;
    private final String nodeId;
    private final Jsonb jsonb;
    private final String ttlMs;
    private final String reportTtlMs;
    /** This node's open sessions by id: the truth that resync writes again. */
    private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
    /** How many of this node's sessions of a user follow a topic; no entry at zero. */
    private final Map<TopicUser, Integer> topicUsers = new ConcurrentHashMap<>();
    /** Session removals and topic-user counts (written as zero) that Redis did not take. */
    private final Set<Removal> failedRemovals = ConcurrentHashMap.newKeySet();
    private final Set<TopicUser> failedTopicRemovals = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService refresher;

    /** A presence with the {@link #DEFAULT_KEY_TTL}. */
    public RedisPresence(RedisConnections redis, String nodeId, Jsonb jsonb, Duration lease) {
        this(redis, nodeId, jsonb, lease, DEFAULT_KEY_TTL);
    }

    /**
     * @param nodeId this node; must not contain a line feed (it separates fields)
     * @param lease the node's heartbeat lease; reports expire after three of them
     * @param keyTtl how long a user or topic hash lives unless renewed; at least 3 ms
     */
    public RedisPresence(RedisConnections redis, String nodeId, Jsonb jsonb, Duration lease, Duration keyTtl) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        if (nodeId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("A node id must not contain a line feed");
        }
        this.jsonb = Objects.requireNonNull(jsonb, "jsonb");
        if (keyTtl.toMillis() < 3) {
            throw new IllegalArgumentException("keyTtl must be at least 3 ms, not " + keyTtl);
        }
        this.ttlMs = Long.toString(keyTtl.toMillis());
        this.reportTtlMs = Long.toString(lease.multipliedBy(3).toMillis());
        this.refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-presence-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
        long period = keyTtl.toMillis() / 3;
        refresher.scheduleWithFixedDelay(this::resyncQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void opened(SessionRecord session) {
        sessions.put(session.sessionId(), session);
        failedRemovals.remove(new Removal(session.user(), session.sessionId()));
        advisory("record session " + session.sessionId(), () -> putSession(session));
    }

    @Override
    public void closed(SessionRecord session) {
        sessions.remove(session.sessionId());
        Removal removal = new Removal(session.user(), session.sessionId());
        if (!advisory("remove session " + session.sessionId(), () -> remove(removal))) {
            failedRemovals.add(removal);
        }
    }

    @Override
    public void joined(String topic, String user) {
        TopicUser key = new TopicUser(topic, user);
        Integer count = topicUsers.merge(key, 1, Integer::sum);
        failedTopicRemovals.remove(key);
        advisory("record a user of topic " + topic, () -> putTopicUser(key, count));
    }

    @Override
    public void left(String topic, String user) {
        TopicUser key = new TopicUser(topic, user);
        Integer count = topicUsers.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        int written = count == null ? 0 : count;
        if (!advisory("remove a user of topic " + topic, () -> putTopicUser(key, written)) && written == 0) {
            failedTopicRemovals.add(key);
        }
    }

    @Override
    public List<SessionRecord> sessionsOf(String user) {
        List<String> reply = SESSIONS_OF.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.userSessions(user)}, RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX,
                "list");
        List<SessionRecord> records = new ArrayList<>(reply.size());
        for (String json : reply) {
            try {
                records.add(jsonb.fromJson(json, SessionRecord.class));
            } catch (JsonbException e) {
                // Written by another version or by hand: the other records still answer.
                LOG.log(Level.WARNING, "Unreadable session record of user " + user + " in Redis", e);
            }
        }
        return List.copyOf(records);
    }

    @Override
    public int sessionCount(String user) {
        Long count = SESSIONS_OF.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.userSessions(user)}, RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX,
                "count");
        return Math.toIntExact(count);
    }

    @Override
    public Set<String> usersOf(String topic) {
        List<String> reply = USERS_OF.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.topicPresence(topic)}, RedisKeys.NODE_ALIVE_PREFIX, RedisKeys.NODE_ALIVE_SUFFIX);
        return Set.copyOf(new HashSet<>(reply));
    }

    /**
     * {@inheritDoc} Walks the topic hashes with SCAN, never KEYS, so that listing does not block
     * Redis; a topic written during the walk may be missed, and none is named twice.
     */
    @Override
    public List<String> topics(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        Set<String> topics = new LinkedHashSet<>();
        try {
            redis.scanKeys(RedisKeys.TOPIC_PRESENCE_PATTERN, key -> {
                String topic = RedisKeys.topicOfPresence(key);
                if (topic != null) {
                    topics.add(topic);
                }
                return topics.size() < limit;
            });
            return List.copyOf(topics);
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Cannot list the topics in Redis: "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip(), e);
        }
    }

    /**
     * {@inheritDoc} Writes {@code self} as this node's report (expiring after three leases) and adds
     * it to {@link RedisKeys#NODES}; {@code self} is first whether or not this node is alive.
     */
    @Override
    public List<NodeReport> nodes(NodeReport self) {
        ReportWire wire = new ReportWire();
        wire.node = self.nodeId();
        wire.figures = new LinkedHashMap<>(self.figures());
        List<String> reply = NODES.run(redis.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.NODES, RedisKeys.nodeReport(self.nodeId())}, RedisKeys.NODE_ALIVE_PREFIX,
                RedisKeys.NODE_ALIVE_SUFFIX, RedisKeys.NODE_REPORT_SUFFIX, self.nodeId(), jsonb.toJson(wire), reportTtlMs);
        List<NodeReport> reports = new ArrayList<>(reply.size() + 1);
        reports.add(self);
        for (String json : reply) {
            try {
                ReportWire other = jsonb.fromJson(json, ReportWire.class);
                reports.add(new NodeReport(other.node, other.figures == null ? Map.of() : other.figures));
            } catch (JsonbException e) {
                LOG.log(Level.WARNING, "Unreadable node report in Redis", e);
            }
        }
        return List.copyOf(reports);
    }

    /**
     * Writes every open session and topic user of this node again, under the node's current
     * incarnation, renewing their keys' TTL, and retries the removals that failed. Call after the
     * heartbeat regained its lease; also runs every {@code keyTtl / 3}.
     *
     * @throws ClusterUnavailableException if Redis fails; what was written stays written
     */
    public void resync() {
        for (Removal removal : List.copyOf(failedRemovals)) {
            remove(removal);
            failedRemovals.remove(removal);
        }
        for (TopicUser key : List.copyOf(failedTopicRemovals)) {
            putTopicUser(key, topicUsers.getOrDefault(key, 0));
            failedTopicRemovals.remove(key);
        }
        for (SessionRecord session : sessions.values()) {
            putSession(session);
        }
        for (Map.Entry<TopicUser, Integer> entry : topicUsers.entrySet()) {
            putTopicUser(entry.getKey(), entry.getValue());
        }
    }

    /** Stops the periodic resync; what is in Redis stays until the heartbeat or the TTLs end it. */
    @Override
    public void close() {
        refresher.shutdownNow();
    }

    private void resyncQuietly() {
        try {
            resync();
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Presence of node " + nodeId + " not resynchronised; next try in a third of the TTL", e);
        }
    }

    private void putSession(SessionRecord session) {
        Long written = PUT_SESSION.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.userSessions(session.user()), RedisKeys.nodeAlive(nodeId)}, nodeId,
                session.sessionId(), jsonb.toJson(session), ttlMs);
        fencedUnlessWritten(written);
    }

    private void putTopicUser(TopicUser key, int count) {
        Long written = PUT_TOPIC_USER.run(redis.commands().sync(), ScriptOutputType.INTEGER,
                new String[] {RedisKeys.topicPresence(key.topic()), RedisKeys.nodeAlive(nodeId)}, nodeId, key.user(),
                Integer.toString(count), ttlMs);
        fencedUnlessWritten(written);
    }

    private void remove(Removal removal) {
        try {
            redis.commands().sync().hdel(RedisKeys.userSessions(removal.user()), removal.sessionId());
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Redis did not remove a session record: "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip(), e);
        }
    }

    private void fencedUnlessWritten(Long written) {
        if (written != 1L) {
            // Without a heartbeat the entry would count as dead at once; resync() writes it after the regain.
            LOG.log(Level.DEBUG, "Node {0} has no heartbeat; presence entry not written", nodeId);
        }
    }

    /** Runs a write; a Redis failure is logged, not thrown, since presence is advisory. */
    private boolean advisory(String what, Runnable write) {
        try {
            write.run();
            return true;
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Presence of node " + nodeId + " could not " + what + "; resync repairs it", e);
            return false;
        }
    }
}
