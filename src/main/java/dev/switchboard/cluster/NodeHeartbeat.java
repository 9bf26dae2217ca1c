package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node's lease in Redis: keeps {@link RedisKeys#nodeAlive(String) nodeAlive(nodeId)} set with
 * {@code PX = lease}, refreshed every {@code lease / 3}. Every other node takes the key's presence
 * as proof that this node is alive; channel claims and presence entries of a node whose key is
 * gone count as free (see {@link RedisChannelRegistry}, {@link RedisPresence}).
 *
 * <p><b>Incarnation.</b> The key's value is a random incarnation id, which the claim and presence
 * scripts copy into what they write for this node. Everything written under an incarnation dies
 * with it: when this node loses its lease it picks a new incarnation, so after it regains Redis its
 * old claims (of sessions it closed while fenced) stay free instead of coming back to life.
 *
 * <p><b>Bounds.</b> A clean {@link #close()} deletes the key: the node's channels are free at once.
 * A node killed with SIGKILL (or cut off from Redis) frees its channels when the key expires,
 * within {@code lease} (about 10 s with {@link #DEFAULT_LEASE}) of its last successful refresh.
 *
 * <p><b>Self-fencing.</b> The lease is counted from when the last successful refresh was
 * <em>sent</em>, which is no later than when Redis set the key, so this node declares its lease
 * lost no later than Redis lets the key expire (up to scheduling delay and clock-rate drift
 * between the hosts). When no refresh succeeded for {@code lease}, the {@link #onLeaseLost}
 * listeners run, once per loss: the wiring closes this node's channel sessions there, so that two
 * nodes never both believe they hold a channel. Refreshing goes on; when a refresh of the new
 * incarnation succeeds the {@link #onLeaseRegained} listeners run, once per regain. Listeners run
 * one after another, in registration order, on this heartbeat's own thread, which also sends the
 * refreshes: a slow listener delays the next refresh, so hand long work to another thread. A
 * listener that throws is logged and does not stop the others.
 *
 * <p><b>Reconnects.</b> When the command connection comes back after losing Redis, a refresh is sent
 * at once rather than at the next period: a Redis restarted without its data has lost the key, and
 * until it is written again other nodes count this node as dead and this node cannot claim
 * channels. {@link #holdsKey()} is false from the disconnect until such a refresh succeeded; the
 * wiring reports the node not ready meanwhile.
 *
 * <p>Time is measured with {@link System#nanoTime()}, not the injected wall clock: a lease is a
 * duration, and a wall-clock step must neither fake nor hide a loss. Thread safe.
 */
public final class NodeHeartbeat implements AutoCloseable {

    /** The lease used when none is configured. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

    private static final Logger LOG = System.getLogger(NodeHeartbeat.class.getName());
    /** Deletes the key only if it still holds this incarnation: a successor with the same id keeps its lease. */
    private static final LuaScript DELETE_IF_OURS = new LuaScript("delete a node heartbeat",
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0");

    private final RedisConnections redis;
    private final String nodeId;
    private final String key;
    private final Duration lease;
    private final long leaseNanos;
    private final SecureRandom random = new SecureRandom();
    private final List<Runnable> lostListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> regainedListeners = new CopyOnWriteArrayList<>();
    /** Sends refreshes, checks the deadline and runs listeners; one thread, so listeners never overlap. */
    private final ScheduledExecutorService scheduler;

    // All guarded by this.
    private String incarnation;
    /** Bumped at each loss, so that a late reply to a refresh of the old incarnation is not taken as a regain. */
    private int generation;
    /** System.nanoTime() when the latest successful refresh was sent. */
    private long lastSuccessNanos;
    private boolean started;
    private boolean lost;
    private boolean failing;
    private boolean closed;
    private ScheduledFuture<?> deadline;
    /** Bumped at each disconnect of the command connection, so that only a refresh sent after it confirms the key. */
    private int connection;
    /** Whether a refresh sent on the current command connection succeeded (the key is in this Redis). */
    private boolean keyConfirmed;
    private final RedisConnectionStateListener reconnects = new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            synchronized (NodeHeartbeat.this) {
                connection++;
                keyConfirmed = false;
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            // On a Lettuce I/O thread: the refresh itself goes through the scheduler.
            refreshNow();
        }
    };

    /** A heartbeat with the {@link #DEFAULT_LEASE}; nothing is sent until {@link #start()}. */
    public NodeHeartbeat(RedisConnections redis, String nodeId) {
        this(redis, nodeId, DEFAULT_LEASE);
    }

    /**
     * A heartbeat; nothing is sent until {@link #start()}.
     *
     * @param lease how long the key lives after each refresh; at least 30 ms (refreshes are a third of it apart)
     */
    public NodeHeartbeat(RedisConnections redis, String nodeId, Duration lease) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        if (lease.toMillis() < 30) {
            throw new IllegalArgumentException("lease must be at least 30 ms, not " + lease);
        }
        this.key = RedisKeys.nodeAlive(nodeId);
        this.lease = lease;
        this.leaseNanos = lease.toNanos();
        this.incarnation = newIncarnation();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-heartbeat-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Writes the key once, synchronously, then refreshes it every {@code lease / 3}. Call before
     * this node claims any channel: a node without a heartbeat cannot claim.
     *
     * @throws ClusterUnavailableException if the first write fails (then {@code start} may be called again)
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        String value;
        synchronized (this) {
            if (started || closed) {
                throw new IllegalStateException("Heartbeat of " + nodeId + " already " + (closed ? "closed" : "started"));
            }
            value = incarnation;
        }
        redis.commands().addListener(reconnects);
        int sentConnection;
        synchronized (this) {
            sentConnection = connection;
        }
        long sent = System.nanoTime();
        try {
            redis.commands().sync().set(key, value, SetArgs.Builder.px(lease));
        } catch (RedisException e) {
            redis.commands().removeListener(reconnects);
            throw new ClusterUnavailableException("Cannot write the heartbeat of node " + nodeId + ": "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip(), e);
        }
        long period = Math.max(1, leaseNanos / 3);
        synchronized (this) {
            if (closed) {
                return; // closed while the first write was on its way; close() saw started == false
            }
            started = true;
            lastSuccessNanos = sent;
            keyConfirmed = sentConnection == connection;
            scheduleDeadline();
            scheduler.scheduleAtFixedRate(this::beat, period, period, TimeUnit.NANOSECONDS);
        }
        LOG.log(Level.INFO, "Node {0} heartbeat started (lease {1} ms)", nodeId, lease.toMillis());
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** The lease. */
    public Duration lease() {
        return lease;
    }

    /** Whether the lease is held: started, not closed, and a refresh succeeded within the lease. */
    public synchronized boolean alive() {
        return started && !closed && !lost && System.nanoTime() - lastSuccessNanos < leaseNanos;
    }

    /**
     * Whether this node's key is known to be in Redis now: the lease is held and a refresh sent
     * since the command connection last (re)connected has succeeded. False from a disconnect until
     * then, even within the lease: a Redis restarted without its data no longer has the key.
     */
    public synchronized boolean holdsKey() {
        return alive() && keyConfirmed;
    }

    /**
     * How long ago the latest successful refresh was sent.
     *
     * @throws IllegalStateException before {@link #start()} succeeded
     */
    public synchronized Duration sinceLastBeat() {
        if (!started) {
            throw new IllegalStateException("Heartbeat of " + nodeId + " not started");
        }
        return Duration.ofNanos(System.nanoTime() - lastSuccessNanos);
    }

    /** Registers {@code listener} to run each time the lease is lost (see the class comment). */
    public void onLeaseLost(Runnable listener) {
        lostListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Registers {@code listener} to run each time the lease is held again after a loss. */
    public void onLeaseRegained(Runnable listener) {
        regainedListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The value the key holds while this node holds its lease; changes at each loss. */
    synchronized String incarnation() {
        return incarnation;
    }

    /**
     * Stops refreshing and deletes the key if it still holds this incarnation, so that other nodes
     * may take this node's channels at once. If Redis cannot be reached the key expires within the
     * lease. Listeners do not run. Idempotent.
     */
    @Override
    public void close() {
        String value;
        boolean wasStarted;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            wasStarted = started;
            value = incarnation;
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
        scheduler.shutdownNow();
        if (!wasStarted) {
            return;
        }
        redis.commands().removeListener(reconnects);
        try {
            DELETE_IF_OURS.run(redis.commands().sync(), ScriptOutputType.INTEGER, new String[] {key}, value);
            LOG.log(Level.INFO, "Node {0} heartbeat stopped; its key is deleted", nodeId);
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Node " + nodeId + " could not delete its heartbeat; it expires within "
                    + lease.toMillis() + " ms", e);
        }
    }

    /** Sends one refresh without waiting for it (runs on the scheduler). */
    private void beat() {
        String value;
        int sentGeneration;
        int sentConnection;
        synchronized (this) {
            if (closed) {
                return;
            }
            value = incarnation;
            sentGeneration = generation;
            sentConnection = connection;
        }
        long sent = System.nanoTime();
        RedisFuture<String> reply;
        try {
            reply = redis.commands().async().set(key, value, SetArgs.Builder.px(lease));
        } catch (RedisException e) {
            failed(e);
            return;
        }
        // Completes on a Lettuce I/O thread: only bookkeeping there, listeners go to the scheduler.
        reply.whenComplete((ok, error) -> {
            if (error != null) {
                failed(error);
            } else {
                succeeded(sent, sentGeneration, sentConnection);
            }
        });
    }

    private void succeeded(long sent, int sentGeneration, int sentConnection) {
        boolean regained;
        synchronized (this) {
            if (closed || sentGeneration != generation) {
                return;
            }
            if (sentConnection == connection) {
                keyConfirmed = true;
            }
            if (sent - lastSuccessNanos > 0) {
                lastSuccessNanos = sent;
            }
            if (failing) {
                LOG.log(Level.INFO, "Node {0} heartbeat refreshed again", nodeId);
            }
            failing = false;
            regained = lost;
            lost = false;
            scheduleDeadline();
            if (regained) {
                runOnScheduler(regainedListeners, "regained");
            }
        }
        if (regained) {
            LOG.log(Level.WARNING, "Node {0} holds its lease again (new incarnation)", nodeId);
        }
    }

    private void failed(Throwable error) {
        synchronized (this) {
            if (closed || failing) {
                LOG.log(Level.DEBUG, "Node heartbeat refresh failed again", error);
                return;
            }
            failing = true;
        }
        LOG.log(Level.WARNING, "Node " + nodeId + " could not refresh its heartbeat; the lease of "
                + lease.toMillis() + " ms runs out unless a refresh succeeds", error);
    }

    /** Guarded by this: (re)arms the check at the end of the current lease. */
    private void scheduleDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        long delay = lastSuccessNanos + leaseNanos - System.nanoTime();
        deadline = scheduler.schedule(this::checkLease, Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    /** Sends a refresh now, on the scheduler (from any thread); nothing once closed. */
    private void refreshNow() {
        try {
            scheduler.execute(this::beat);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "Heartbeat closed; no refresh after the reconnect", e);
        }
    }

    /** Runs on the scheduler at the end of the lease, unless a later success re-armed it. */
    private void checkLease() {
        long silent;
        synchronized (this) {
            silent = System.nanoTime() - lastSuccessNanos;
            if (closed || lost || silent < leaseNanos) {
                return;
            }
            lost = true;
            generation++;
            incarnation = newIncarnation();
        }
        LOG.log(Level.ERROR, "Node {0} lost its lease: no heartbeat refresh succeeded for {1} ms (lease {2} ms); "
                + "fencing itself", nodeId, Duration.ofNanos(silent).toMillis(), lease.toMillis());
        runListeners(lostListeners, "lost");
    }

    private void runOnScheduler(List<Runnable> listeners, String event) {
        try {
            scheduler.execute(() -> runListeners(listeners, event));
        } catch (RejectedExecutionException e) {
            // Only after close(), whose contract is that listeners no longer run.
            LOG.log(Level.DEBUG, "Heartbeat closed; lease " + event + " listeners not run", e);
        }
    }

    private void runListeners(List<Runnable> listeners, String event) {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "A lease " + event + " listener of node " + nodeId + " failed", e);
            }
        }
    }

    private String newIncarnation() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
