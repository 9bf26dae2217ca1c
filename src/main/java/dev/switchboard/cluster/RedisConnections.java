package dev.switchboard.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node's connections to Redis: exactly one command connection and one pub/sub connection, shared
 * by every Redis-backed part of the node (Lettuce connections are thread safe and pipeline
 * concurrent commands). Built once at start-up from {@code SWITCHBOARD_REDIS_URI}; closed at
 * shutdown.
 *
 * <p><b>URI.</b> Parsed by Lettuce's {@link RedisURI#create(String)}: {@code redis://[[user]:password@]host[:port][/db]},
 * {@code rediss://…} for TLS, and {@code redis-sentinel://[password@]host[:port][,host2[:port2]]/[db]#masterName}
 * for a Sentinel-managed primary. A {@code timeout} given in the URI is replaced by the command
 * timeout passed here.
 *
 * <p><b>Failure behaviour.</b> Every command, synchronous or asynchronous, fails after the command
 * timeout (default {@link #DEFAULT_COMMAND_TIMEOUT} at the call site), so a blocking read such as
 * {@code XREAD BLOCK} must block for less than that. While a connection is down, commands are
 * rejected at once ({@code DisconnectedBehavior.REJECT_COMMANDS}) instead of queueing until Redis
 * returns; callers see a {@link io.lettuce.core.RedisException}. Lettuce reconnects on its own, with
 * a delay growing from 10 ms to at most 2 s, and re-issues {@code SUBSCRIBE}/{@code PSUBSCRIBE} for
 * the pub/sub connection's current subscriptions. TCP keep-alive (idle 15 s, then 3 probes 5 s
 * apart) finds a peer that vanished without closing the socket.
 *
 * <p><b>Reconnect listeners.</b> Messages published while the pub/sub connection was down are lost
 * (Redis pub/sub keeps nothing), so whoever relies on them registers a listener with
 * {@link #onPubSubReconnected(Runnable)} to resynchronise from durable state. See there for when and
 * on which thread it runs.
 *
 * <p><b>Start-up.</b> The constructor connects both connections and fails if Redis cannot be reached;
 * it throws the JDK exceptions below with a one-line message that names {@code SWITCHBOARD_REDIS_URI},
 * and the wiring in {@code dev.switchboard.config} wraps them in its {@code ConfigurationException}
 * (this package does not import {@code config}). Thread safe.
 */
public final class RedisConnections implements AutoCloseable {

    /** The command timeout to use when none is configured. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Keys SCAN looks at per call: Redis answers each call quickly, whatever the key space holds. */
    private static final int SCAN_BATCH = 500;

    private static final Logger LOG = System.getLogger(RedisConnections.class.getName());
    private static final String SETTING = "SWITCHBOARD_REDIS_URI";

    private final String displayUri;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    /** Set by close(), so that the disconnects it causes are not reported as outages. */
    private volatile boolean closed;
    /** Runs the reconnect listeners, never on a Lettuce I/O thread (see onPubSubReconnected). */
    private final ExecutorService events = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "switchboard-redis-events");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Connects to Redis.
     *
     * @param uri a {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI
     * @param commandTimeout how long any command may take, and how long connecting may take; positive
     * @throws IllegalArgumentException if {@code uri} is not a Redis URI (the message names the setting)
     * @throws IllegalStateException if Redis cannot be reached or refuses the connection (one line,
     *         naming the setting and the address, never the password)
     */
    public RedisConnections(String uri, Duration commandTimeout) {
        Objects.requireNonNull(uri, "uri");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive, not " + commandTimeout);
        }
        RedisURI redisUri = parse(uri);
        redisUri.setTimeout(commandTimeout);
        // RedisURI.toString() leaves the password out, so this is safe in messages and logs.
        this.displayUri = redisUri.toString();
        this.resources = DefaultClientResources.builder()
                // Lettuce's default backoff grows to 30 s; a push service wants Redis back within seconds.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(commandTimeout)
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                                .idle(Duration.ofSeconds(15)).interval(Duration.ofSeconds(5)).count(3).build())
                        .build())
                .build());
        StatefulRedisConnection<String, String> commandConnection = null;
        try {
            commandConnection = client.connect();
            this.commands = commandConnection;
            this.pubSub = client.connectPubSub();
        } catch (RuntimeException e) {
            if (commandConnection != null) {
                commandConnection.close();
            }
            shutdown();
            throw new IllegalStateException("Cannot connect to Redis at " + displayUri + " (" + SETTING + "): "
                    + rootMessage(e), e);
        }
        // Added after the first connect, so it hears only reconnects.
        pubSub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (!closed) {
                    events.execute(RedisConnections.this::confirmResubscribedAndNotify);
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closed) {
                    LOG.log(Level.WARNING, "Redis pub/sub connection to {0} lost; reconnecting", displayUri);
                }
            }
        });
        LOG.log(Level.INFO, "Connected to Redis at {0}", displayUri);
    }

    /** The command connection: for everything but (P)SUBSCRIBE. Thread safe; never blocks a caller longer than the command timeout. */
    public StatefulRedisConnection<String, String> commands() {
        return commands;
    }

    /** The pub/sub connection: SUBSCRIBE, PSUBSCRIBE and their listeners. Lettuce calls those listeners on its I/O threads. */
    public StatefulRedisPubSubConnection<String, String> pubSub() {
        return pubSub;
    }

    /**
     * Hands {@code visit} every key matching {@code pattern}, walking them with SCAN in batches
     * (never KEYS, which blocks Redis for the whole key space), until the walk ends or {@code visit}
     * answers false. A key written during the walk may be missed; none is handed twice within a
     * batch, and SCAN may repeat one across batches, so {@code visit} must not mind seeing a key
     * again.
     *
     * @throws io.lettuce.core.RedisException if Redis fails; the keys visited so far stay visited
     */
    public void scanKeys(String pattern, Predicate<String> visit) {
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_BATCH);
        KeyScanCursor<String> cursor = commands.sync().scan(args);
        while (true) {
            for (String key : cursor.getKeys()) {
                if (!visit.test(key)) {
                    return;
                }
            }
            if (cursor.isFinished()) {
                return;
            }
            cursor = commands.sync().scan(cursor, args);
        }
    }

    /** Whether both connections are up right now (false during an outage, until Lettuce has reconnected both). */
    public boolean isConnected() {
        return commands.isOpen() && pubSub.isOpen();
    }

    /**
     * Registers {@code listener} to run each time the pub/sub connection has come back after losing
     * Redis (not for the first connect). By then Lettuce has re-issued {@code SUBSCRIBE}/{@code PSUBSCRIBE}
     * for the current subscriptions and Redis has answered them: this class sends a {@code PING} on the
     * pub/sub connection after the reconnect and calls the listeners once it is answered, so a message
     * published after the listener starts is received. What was published during the outage is lost.
     *
     * <p>Listeners run one after another, in registration order, on this instance's own thread
     * {@code switchboard-redis-events} (never on a Lettuce/netty I/O thread), so a listener may call
     * Redis synchronously. A slow listener delays later notifications, not Redis traffic. A listener
     * that throws is logged and does not stop the others. The command connection reconnects on its
     * own schedule and may still be down when a listener runs; its calls then fail fast.
     */
    public void onPubSubReconnected(Runnable listener) {
        reconnectListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Closes both connections and shuts the client down (short quiet period). Idempotent. */
    @Override
    public void close() {
        closed = true;
        events.shutdownNow();
        commands.close();
        pubSub.close();
        shutdown();
    }

    private void confirmResubscribedAndNotify() {
        try {
            // Lettuce writes the re-subscriptions when the connection is activated, before it reports
            // the connection as connected; Redis answers in order, so this PONG comes after them.
            pubSub.sync().ping();
        } catch (RuntimeException e) {
            // Lost again before it answered: the next reconnect notifies.
            LOG.log(Level.WARNING, "Redis pub/sub connection to " + displayUri + " reconnected but did not answer PING", e);
            return;
        }
        LOG.log(Level.INFO, "Redis pub/sub connection to {0} re-established", displayUri);
        for (Runnable listener : reconnectListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "A Redis reconnect listener failed", e);
            }
        }
    }

    private void shutdown() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static RedisURI parse(String uri) {
        try {
            return RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            // Lettuce's message would not say which setting was wrong; the URI may carry a password.
            throw new IllegalArgumentException(SETTING + " must be a redis://, rediss:// or redis-sentinel:// URI: "
                    + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
