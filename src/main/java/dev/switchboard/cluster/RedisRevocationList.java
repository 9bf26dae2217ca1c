package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Revocation;
import dev.switchboard.broker.RevocationList;
import dev.switchboard.broker.RevocationSet;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The revocations of a cluster, in Redis: each one a key {@code sb:revocation:{id}} that expires
 * when the revocation ends, indexed by the sorted set {@code sb:revocations} (score: its end), so
 * they survive a node's restart (and Redis's, with persistence). Made and lifted by one script each,
 * which also announces the change on the pub/sub channel {@code sb:revocations}; every node applies
 * the announcements to its own copy, which the token check reads. A node loads the whole list when
 * it starts, after every pub/sub reconnect (announcements made meanwhile are lost) and every
 * {@code reloadEvery}, so a missed announcement counts at the latest then. Thread safe.
 */
final class RedisRevocationList implements RevocationList {

    private static final Logger LOG = System.getLogger(RedisRevocationList.class.getName());

    /**
     * KEYS: revocation key, index. ARGV: id, JSON, until (ms), ttl (ms), now (ms), max active,
     * channel. Returns 1, or 0 if max active revocations already count.
     */
    private static final LuaScript ADD = new LuaScript("store a revocation", """
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
            if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
            local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
            redis.call('PEXPIRE', KEYS[2], math.max(1, tonumber(last[2]) - tonumber(ARGV[5])))
            redis.call('PUBLISH', ARGV[7], '+' .. ARGV[2])
            return 1
            """);

    /** KEYS: revocation key, index. ARGV: id, channel. Returns 1 if the revocation counted, else 0. */
    private static final LuaScript REMOVE = new LuaScript("lift a revocation", """
            local present = redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            if present == 1 then
              redis.call('PUBLISH', ARGV[2], '-' .. ARGV[1])
            end
            return present
            """);

    /** KEYS: index. ARGV: now (ms), key prefix, key suffix. Returns the JSON of every revocation that counts. */
    private static final LuaScript LIST = new LuaScript("list the revocations", """
            local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')
            local found = {}
            for _, id in ipairs(ids) do
              local json = redis.call('GET', ARGV[2] .. id .. ARGV[3])
              if json then
                table.insert(found, json)
              end
            end
            return found
            """);

    private final RedisConnections connections;
    private final Clock clock;
    private final int capacity;
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    /** Reloads, and calls the listeners (never on a Lettuce I/O thread). */
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "switchboard-revocations");
        thread.setDaemon(true);
        return thread;
    });
    /** Replaced whole under {@code this}; read without a lock. */
    private volatile RevocationSet revocations = RevocationSet.EMPTY;
    private volatile boolean closed;

    private final RedisPubSubAdapter<String, String> announcements = new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
            if (!closed && RedisKeys.REVOCATIONS_CHANNEL.equals(channel)) {
                apply(message);
            }
        }
    };

    /**
     * Subscribes to the announcements and loads the list.
     *
     * @throws ClusterUnavailableException if Redis cannot be reached
     */
    RedisRevocationList(RedisConnections connections, Clock clock, Duration reloadEvery) {
        this(connections, clock, reloadEvery, MAX_ACTIVE);
    }

    /** As above, refusing more than {@code capacity} revocations at once. */
    RedisRevocationList(RedisConnections connections, Clock clock, Duration reloadEvery, int capacity) {
        this.connections = connections;
        this.clock = clock;
        this.capacity = capacity;
        connections.pubSub().addListener(announcements);
        try {
            // Subscribed before loading: nothing made in between is missed. Lettuce subscribes again after a reconnect.
            connections.pubSub().sync().subscribe(RedisKeys.REVOCATIONS_CHANNEL);
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Redis did not subscribe to the revocations: " + e.getMessage(), e);
        }
        reload();
        connections.onPubSubReconnected(this::reloadQuietly);
        long millis = reloadEvery.toMillis();
        worker.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void add(Revocation revocation) {
        Instant now = clock.instant();
        long ttl = Math.max(1, Duration.between(now, revocation.until()).toMillis());
        String json = RevocationCodec.encode(revocation);
        Long stored = ADD.run(connections.commands().sync(), ScriptOutputType.INTEGER, "revocation " + revocation.id(),
                new String[] {RedisKeys.revocation(revocation.id()), RedisKeys.REVOCATIONS}, revocation.id(), json,
                Long.toString(revocation.until().toEpochMilli()), Long.toString(ttl), Long.toString(now.toEpochMilli()),
                Integer.toString(capacity), RedisKeys.REVOCATIONS_CHANNEL);
        if (stored == 0) {
            throw new IllegalStateException("at most " + capacity + " revocations may count at once");
        }
        // At once for this node's checks; the announcement (this node hears it too) closes the sessions.
        update(set -> set.with(revocation, clock.instant()));
    }

    @Override
    public boolean remove(String id) {
        Long present = REMOVE.run(connections.commands().sync(), ScriptOutputType.INTEGER, "revocation " + id,
                new String[] {RedisKeys.revocation(id), RedisKeys.REVOCATIONS}, id, RedisKeys.REVOCATIONS_CHANNEL);
        update(set -> set.without(id, clock.instant()));
        return present == 1;
    }

    @Override
    public List<Revocation> active() {
        return revocations.activeAt(clock.instant());
    }

    @Override
    public boolean isRevoked(String user, String tokenId) {
        return revocations.revokes(user, tokenId, clock.instant());
    }

    @Override
    public void onRevoked(Consumer<Revocation> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
        connections.pubSub().removeListener(announcements);
    }

    /** Replaces this node's copy with what Redis holds. */
    void reload() {
        Instant now = clock.instant();
        List<Object> found = LIST.run(connections.commands().sync(), ScriptOutputType.MULTI,
                new String[] {RedisKeys.REVOCATIONS}, Long.toString(now.toEpochMilli()), "sb:revocation:{", "}");
        List<Revocation> loaded = new ArrayList<>();
        for (Object json : found) {
            try {
                loaded.add(RevocationCodec.decode((String) json));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Ignoring an unreadable revocation in Redis: {0}", e.toString());
            }
        }
        RevocationSet fresh = RevocationSet.of(loaded, now);
        synchronized (this) {
            revocations = fresh;
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Revocations not reloaded; keeping this node''s copy: {0}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Revocations not reloaded", e);
        }
    }

    /** On a Lettuce I/O thread: updates the copy, and leaves the listeners to the worker. */
    private void apply(String message) {
        if (message.startsWith("-")) {
            String id = message.substring(1);
            update(set -> set.without(id, clock.instant()));
            return;
        }
        if (!message.startsWith("+")) {
            LOG.log(Level.WARNING, "Ignoring an unreadable revocation announcement (neither + nor -)");
            return;
        }
        Revocation revocation;
        try {
            revocation = RevocationCodec.decode(message.substring(1));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Ignoring an unreadable revocation announcement: {0}", e.toString());
            return;
        }
        update(set -> set.with(revocation, clock.instant()));
        try {
            worker.execute(() -> notifyListeners(revocation));
        } catch (RejectedExecutionException e) {
            // Closed since the message arrived (the node is stopping): no session is left to close.
            LOG.log(Level.DEBUG, "Revocation {0} heard while closing; nobody to tell", revocation.id());
        }
    }

    private synchronized void update(java.util.function.UnaryOperator<RevocationSet> change) {
        revocations = change.apply(revocations);
    }

    private void notifyListeners(Revocation revocation) {
        for (Consumer<Revocation> listener : listeners) {
            try {
                listener.accept(revocation);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "A revocation listener failed", e);
            }
        }
    }
}
