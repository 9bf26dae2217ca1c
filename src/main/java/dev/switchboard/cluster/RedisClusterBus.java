package dev.switchboard.cluster;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.ClusterBus;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.Delivery;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.api.sync.RedisPubSubCommands;
import jakarta.json.bind.Jsonb;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * The {@link ClusterBus} of cluster mode, over Redis pub/sub on the node's shared
 * {@link RedisConnections}. Every channel name comes from {@link RedisKeys}.
 *
 * <p><b>What travels where.</b>
 * <ul>
 *   <li>Topic announcements arrive on {@link RedisKeys#topicChannel} in the {@link TopicAnnouncement}
 *       format; the topic log's append script publishes them, this bus only reads them.</li>
 *   <li>{@link #send} publishes a user, channel or broadcast delivery on {@link RedisKeys#userChannel},
 *       {@link RedisKeys#channelChannel} or {@link RedisKeys#BROADCAST_CHANNEL} as the envelope
 *       {@code <sending node id>\n<delivery as DeliveryCodec encodes it>}. A node drops the envelopes
 *       it sent itself: the broker has already served its own sessions. Node ids may not contain a
 *       line feed, so the first line feed ends the id.</li>
 *   <li>{@link #disconnect} publishes the command {@code disconnect\n<CloseCode name>\n<session id>} on
 *       the {@link RedisKeys#nodeChannel} of the node holding the session (the session id last, so
 *       that nothing in it can be mistaken for a separator). Every node follows its own node channel
 *       and the broadcast channel from {@link #start} to {@link #close}.</li>
 * </ul>
 * A message that cannot be read (or that names another address than the channel it came on) is
 * logged at WARNING, without its content, and dropped.
 *
 * <p><b>Threads.</b> Lettuce calls the pub/sub listener on a netty I/O thread, which must never
 * wait on the broker (the broker may block on Redis under a topic lock, and that reply would come
 * through the same I/O threads). The listener therefore only hands each message to one of a few
 * <i>lanes</i>: single-thread executors chosen by the hash of the pub/sub channel's name, so every
 * topic's announcements (and every user's or channel's deliveries) reach the {@link Inbound} in the
 * order Redis published them, while a topic on another lane is not held up by a slow one. A lane's
 * queue is bounded ({@value #DEFAULT_LANE_CAPACITY} messages by default): when the broker falls that
 * far behind, further messages for that lane are dropped, with a WARNING, and a resynchronisation
 * is requested, which reads the missed topic messages back from the log. Dropped user, channel and
 * broadcast deliveries are lost, as they are during a Redis outage (those that need an
 * acknowledgement stay in the inbox and are redelivered from there). A lane whose {@link Inbound}
 * call throws logs it and goes on with the next message.
 *
 * <p><b>Resynchronisation</b> ({@link Inbound#resynchronise}) runs on the bus's own thread
 * {@code switchboard-bus-resync}: every {@code resyncInterval}, after every pub/sub reconnect
 * ({@link RedisConnections#onPubSubReconnected}) and after a lane dropped messages. It does not run
 * on the lanes: a resynchronisation makes one Redis call per followed topic and would hold up every
 * topic of a lane meanwhile, and the broker does not need it ordered with the announcements, as it
 * takes the topic's lock for both and ignores an announcement it has already delivered. Before each
 * resynchronisation the bus settles its subscriptions with Redis (below), so that every
 * announcement after the positions read reaches this node.
 *
 * <p><b>Follows</b> are counted per pub/sub channel, that is per (interest, name). The first follow
 * of a name sends {@code SUBSCRIBE} and returns once Redis confirmed it; the last unfollow sends
 * {@code UNSUBSCRIBE}. Follows and unfollows of one name are serialised (by a lock per name, held
 * across the Redis round trip), those of different names are not. If Redis cannot be reached, a
 * follow still counts (the caller must unfollow it as usual) and throws
 * {@link ClusterUnavailableException}; the name is subscribed when the bus next settles its
 * subscriptions, at the latest after the pub/sub connection is back. Likewise an unfollow that
 * cannot reach Redis returns, and the {@code UNSUBSCRIBE} is sent when settling. Names that Redis
 * did subscribe before an outage are subscribed again by Lettuce itself. A name's entry is removed
 * once no follow is left and Redis confirmed the {@code UNSUBSCRIBE}.
 *
 * <p>{@link #start} must be called before the first follow. {@link #close} stops the lanes and the
 * resync thread and unsubscribes everything this bus subscribed; it does not close the
 * {@link RedisConnections}, which other Redis parts of the node share and which the wiring closes.
 * Thread safety: every method may be called from any thread.
 */
public final class RedisClusterBus implements ClusterBus {

    /** How often topics are checked against the log when nothing else prompted it. */
    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofSeconds(5);
    /** Enough to let a slow topic wait without holding up most others; each lane is one thread. */
    static final int DEFAULT_LANES = 4;
    /** Messages queued per lane before dropping: bounds memory if the broker stalls. */
    static final int DEFAULT_LANE_CAPACITY = 16_384;

    private static final Logger LOG = System.getLogger(RedisClusterBus.class.getName());
    private static final String DISCONNECT = "disconnect";
    /** At most one overflow warning per lane in this time, so that a stall does not flood the log. */
    private static final long OVERFLOW_WARNING_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What a pub/sub channel carries, and so how its messages are read. */
    private enum Kind { TOPIC, USER, CHANNEL, BROADCAST, NODE }

    private final RedisConnections connections;
    private final DeliveryCodec codec;
    private final String nodeId;
    private final Duration resyncInterval;
    private final Lane[] lanes;
    private final ScheduledExecutorService resyncThread;
    private final RedisPubSubListener<String, String> listener = new Listener();
    /** What this bus follows, by pub/sub channel. An entry leaves once unsubscribed in Redis. */
    private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** Channels whose subscription in Redis may differ from what is wanted (a Redis call failed). */
    private final Set<String> unsettled = ConcurrentHashMap.newKeySet();
    /** Set while a resynchronisation is queued and has not started: later requests join it. */
    private final AtomicBoolean resyncQueued = new AtomicBoolean();
    /** Written once by start(). */
    private volatile Inbound inbound;
    /** Whether this node's heartbeat key is in Redis (always true for a bus outside a node). */
    private final BooleanSupplier nodeRegistered;
    private volatile boolean closed;

    /**
     * A bus for node {@code nodeId}, with the default lanes.
     *
     * @param jsonb encodes and decodes deliveries (the application's one {@link Jsonb})
     * @param nodeId this node's id: not blank, no line feed
     * @param resyncInterval how often followed topics are checked against the log; positive
     */
    public RedisClusterBus(RedisConnections connections, Jsonb jsonb, String nodeId, Duration resyncInterval) {
        this(connections, new DeliveryCodec(jsonb), nodeId, resyncInterval, DEFAULT_LANES, DEFAULT_LANE_CAPACITY,
                () -> true);
    }

    /**
     * A bus as above that counts as up ({@link #isUp()}) only while {@code nodeRegistered} holds
     * too: in a node, while its heartbeat key is in Redis ({@link NodeHeartbeat#holdsKey()}).
     */
    RedisClusterBus(RedisConnections connections, DeliveryCodec codec, String nodeId, Duration resyncInterval,
            BooleanSupplier nodeRegistered) {
        this(connections, codec, nodeId, resyncInterval, DEFAULT_LANES, DEFAULT_LANE_CAPACITY, nodeRegistered);
    }

    RedisClusterBus(RedisConnections connections, DeliveryCodec codec, String nodeId, Duration resyncInterval,
            int laneCount, int laneCapacity) {
        this(connections, codec, nodeId, resyncInterval, laneCount, laneCapacity, () -> true);
    }

    private RedisClusterBus(RedisConnections connections, DeliveryCodec codec, String nodeId, Duration resyncInterval,
            int laneCount, int laneCapacity, BooleanSupplier nodeRegistered) {
        this.nodeRegistered = Objects.requireNonNull(nodeRegistered, "nodeRegistered");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.codec = Objects.requireNonNull(codec, "codec");
        if (nodeId == null || nodeId.isBlank() || nodeId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("A node id must be a non-blank line, not " + nodeId);
        }
        this.nodeId = nodeId;
        if (resyncInterval.isNegative() || resyncInterval.isZero()) {
            throw new IllegalArgumentException("resyncInterval must be positive, not " + resyncInterval);
        }
        this.resyncInterval = resyncInterval;
        if (laneCount < 1 || laneCapacity < 1) {
            throw new IllegalArgumentException("lanes and their capacity must be positive");
        }
        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane(i, laneCapacity);
        }
        this.resyncThread = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "switchboard-bus-resync"));
    }

    @Override
    public void start(Inbound target) {
        if (inbound != null) {
            throw new IllegalStateException("The cluster bus is already started");
        }
        this.inbound = Objects.requireNonNull(target, "inbound");
        connections.pubSub().addListener(listener);
        hold(Kind.NODE, RedisKeys.nodeChannel(nodeId));
        hold(Kind.BROADCAST, RedisKeys.BROADCAST_CHANNEL);
        connections.onPubSubReconnected(() -> {
            if (!closed) {
                requestResynchronisation();
            }
        });
        long millis = resyncInterval.toMillis();
        resyncThread.scheduleWithFixedDelay(this::resynchronise, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Follows a channel for the bus's whole life; if Redis is out of reach, settling subscribes it later. */
    private void hold(Kind kind, String channel) {
        try {
            follow(kind, channel);
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Not yet subscribed to {0}; retrying once Redis is back: {1}", channel, e.getMessage());
        }
    }

    @Override
    public void follow(Interest interest, String name) {
        follow(kindOf(interest), channelOf(interest, name));
    }

    private void follow(Kind kind, String channel) {
        if (closed) {
            throw new ClusterUnavailableException("The cluster bus is closed");
        }
        while (true) {
            Subscription subscription = subscriptions.computeIfAbsent(channel, c -> new Subscription(kind, c));
            synchronized (subscription) {
                if (subscription.removed) {
                    continue; // the last unfollow won the race and dropped it: take a new entry
                }
                subscription.count++;
                if (subscription.state != State.SUBSCRIBED) {
                    try {
                        subscribe(subscription);
                    } catch (RedisException e) {
                        throw new ClusterUnavailableException("Redis cannot be reached to subscribe to " + channel
                                + "; subscribing once it is back: " + oneLine(e), e);
                    }
                }
                return;
            }
        }
    }

    @Override
    public void unfollow(Interest interest, String name) {
        String channel = channelOf(interest, name);
        if (closed) {
            return; // close() has unsubscribed everything; sessions may still be closing
        }
        Subscription subscription = subscriptions.get(channel);
        if (subscription == null) {
            LOG.log(Level.WARNING, "Unfollowed {0} more often than followed", channel);
            return;
        }
        synchronized (subscription) {
            if (subscription.removed || subscription.count == 0) {
                LOG.log(Level.WARNING, "Unfollowed {0} more often than followed", channel);
                return;
            }
            subscription.count--;
            if (subscription.count == 0) {
                try {
                    unsubscribe(subscription);
                } catch (RedisException e) {
                    // Not the caller's problem (it is letting go): settling sends UNSUBSCRIBE later.
                    LOG.log(Level.DEBUG, "Unsubscribing from {0} once Redis is back: {1}", channel, oneLine(e));
                }
            }
        }
    }

    /** SUBSCRIBE, under the subscription's lock; on failure the channel waits to be settled. */
    private void subscribe(Subscription subscription) {
        sendPubSubCommand(subscription, RedisPubSubCommands::subscribe);
        subscription.state = State.SUBSCRIBED;
        unsettled.remove(subscription.channel);
    }

    /** UNSUBSCRIBE, under the subscription's lock, and forgets the channel; on failure it waits to be settled. */
    private void unsubscribe(Subscription subscription) {
        if (subscription.state != State.UNSUBSCRIBED) {
            sendPubSubCommand(subscription, RedisPubSubCommands::unsubscribe);
        }
        subscription.state = State.UNSUBSCRIBED;
        subscription.removed = true;
        subscriptions.remove(subscription.channel, subscription);
        unsettled.remove(subscription.channel);
    }

    /**
     * Sends SUBSCRIBE or UNSUBSCRIBE for the subscription's channel, under its lock. On failure the
     * command may or may not have reached Redis (a timeout), so the channel's state is unknown and
     * it waits to be settled; the failure is rethrown.
     */
    private void sendPubSubCommand(Subscription subscription,
            BiConsumer<RedisPubSubCommands<String, String>, String> command) {
        try {
            command.accept(connections.pubSub().sync(), subscription.channel);
        } catch (RedisException e) {
            subscription.state = State.UNKNOWN;
            unsettled.add(subscription.channel);
            throw e;
        }
    }

    /** Brings Redis's subscriptions in line with the follows wherever a Redis call failed. On the resync thread. */
    private void settleSubscriptions() {
        for (String channel : unsettled) {
            Subscription subscription = subscriptions.get(channel);
            if (subscription == null) {
                unsettled.remove(channel);
                continue;
            }
            synchronized (subscription) {
                try {
                    if (subscription.removed) {
                        unsettled.remove(channel);
                    } else if (subscription.count > 0) {
                        subscribe(subscription);
                    } else {
                        unsubscribe(subscription);
                    }
                } catch (RedisException e) {
                    LOG.log(Level.DEBUG, "Could not settle the subscription to {0} yet: {1}", channel, oneLine(e));
                    return; // Redis is out of reach: the next resynchronisation tries again
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits for Redis to take the {@code PUBLISH}, at most the command timeout (and not at all
     * while the connection is known to be down).
     *
     * @throws IllegalArgumentException for a topic delivery: those travel with the topic log
     */
    @Override
    public int send(Delivery delivery) {
        String channel = switch (delivery.target()) {
            case USER -> RedisKeys.userChannel(delivery.address());
            case CHANNEL -> RedisKeys.channelChannel(delivery.address());
            case BROADCAST -> RedisKeys.BROADCAST_CHANNEL;
            case TOPIC -> throw new IllegalArgumentException("Topic messages travel with the topic log, not the bus");
        };
        // PUBLISH answers how many subscribers got it: a killed node's connection, and with it its
        // subscription, is gone at once, while its heartbeat and presence entries last a lease.
        long receivers = publish(channel, nodeId + '\n' + codec.encode(delivery), "send a " + delivery.target()
                + " delivery");
        return (int) Math.min(Integer.MAX_VALUE, receivers);
    }

    /**
     * {@inheritDoc}
     *
     * @throws ClusterUnavailableException if Redis cannot be reached (the session stays open)
     */
    @Override
    public void disconnect(String targetNode, String sessionId, CloseCode code) {
        long receivers = publish(RedisKeys.nodeChannel(targetNode), DISCONNECT + '\n' + code.name() + '\n' + sessionId,
                "ask node " + targetNode + " to close a session");
        if (receivers == 0) {
            LOG.log(Level.DEBUG, "Node {0} does not listen; its session {1} went with it", targetNode, sessionId);
        }
    }

    private long publish(String channel, String message, String what) {
        if (closed) {
            throw new ClusterUnavailableException("The cluster bus is closed");
        }
        try {
            return connections.commands().sync().publish(channel, message);
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Redis cannot be reached to " + what + ": " + oneLine(e), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Both connections open and, in a node, its heartbeat key confirmed since they last came
     * back: before that the node cannot claim channels, so it must not count as ready.
     */
    @Override
    public boolean isUp() {
        return !closed && connections.isConnected() && nodeRegistered.getAsBoolean();
    }

    /** Stops the lanes and the resync thread and unsubscribes; leaves the shared connections open. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        resyncThread.shutdownNow();
        connections.pubSub().removeListener(listener);
        String[] channels = subscriptions.keySet().toArray(String[]::new);
        subscriptions.clear();
        unsettled.clear();
        if (channels.length > 0) {
            try {
                connections.pubSub().sync().unsubscribe(channels);
            } catch (RedisException e) {
                // Lettuce would subscribe them again on reconnect; harmless, as nothing listens any more.
                LOG.log(Level.WARNING, "Could not unsubscribe the closed cluster bus from Redis: {0}", oneLine(e));
            }
        }
        for (Lane lane : lanes) {
            lane.executor.shutdownNow();
        }
        try {
            for (Lane lane : lanes) {
                if (!lane.executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.log(Level.WARNING, "Cluster bus lane {0} is still busy after close", lane.index);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues a resynchronisation on the resync thread unless one is queued and has not started yet. */
    private void requestResynchronisation() {
        if (resyncQueued.compareAndSet(false, true)) {
            try {
                resyncThread.execute(this::resynchronise);
            } catch (RejectedExecutionException e) {
                resyncQueued.set(false); // closed meanwhile
                LOG.log(Level.DEBUG, "Cluster bus closed; no resynchronisation", e);
            }
        }
    }

    /** On the resync thread only. Never throws: a periodic task that throws is never run again. */
    private void resynchronise() {
        resyncQueued.set(false);
        if (closed) {
            return;
        }
        try {
            settleSubscriptions();
            inbound.resynchronise();
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.WARNING, "Could not check the topics against Redis; retrying within {0}: {1}", resyncInterval,
                    e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Resynchronising the topics with the cluster failed", e);
        }
    }

    /** What Lettuce hands over, on its I/O thread: only handed on to a lane. */
    private final class Listener extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String channel, String message) {
            Subscription subscription = subscriptions.get(channel);
            if (subscription == null) {
                return; // not ours (another part shares the connection), or no longer followed
            }
            Kind kind = subscription.kind;
            lanes[laneOf(channel, lanes.length)].execute(() -> handle(kind, channel, message));
        }
    }

    /** The lane that carries a pub/sub channel's messages. */
    static int laneOf(String channel, int laneCount) {
        return Math.floorMod(channel.hashCode(), laneCount);
    }

    /** On a lane: reads one message and hands it to the broker. */
    private void handle(Kind kind, String channel, String message) {
        if (closed) {
            return;
        }
        switch (kind) {
            case TOPIC -> {
                Delivery delivery = read(channel, message, () -> TopicAnnouncement.decode(codec, message));
                if (delivery != null) {
                    inbound.topicMessage(delivery);
                }
            }
            case USER, CHANNEL, BROADCAST -> {
                int newline = message.indexOf('\n');
                if (newline < 0) {
                    malformed(channel, message, "no sender");
                } else if (newline != nodeId.length() || !message.startsWith(nodeId)) {
                    Delivery delivery = read(channel, message, () -> codec.decode(message.substring(newline + 1)));
                    if (delivery != null) {
                        inbound.delivery(delivery);
                    }
                } // else: this node's own send, which the broker already delivered here
            }
            case NODE -> handleCommand(channel, message);
        }
    }

    private void handleCommand(String channel, String message) {
        String[] parts = message.split("\n", 3);
        if (parts.length != 3 || !parts[0].equals(DISCONNECT)) {
            malformed(channel, message, "not a known command");
            return;
        }
        CloseCode code;
        try {
            code = CloseCode.valueOf(parts[1]);
        } catch (IllegalArgumentException e) {
            malformed(channel, message, "unknown close code");
            return;
        }
        inbound.disconnect(parts[2], code);
    }

    /** The delivery in a message, or null (logged) if it cannot be read or belongs to another channel. */
    private Delivery read(String channel, String message, java.util.function.Supplier<Delivery> decoder) {
        Delivery delivery;
        try {
            delivery = decoder.get();
        } catch (RuntimeException e) {
            // Not only IllegalArgumentException: Instant.parse throws DateTimeParseException.
            malformed(channel, message, e.getClass().getSimpleName());
            return null;
        }
        if (!channel.equals(channelOf(delivery))) {
            malformed(channel, message, "addressed to another channel");
            return null;
        }
        return delivery;
    }

    /** Logs a dropped message by its channel, size and fault: its content may be private. */
    private static void malformed(String channel, String message, String fault) {
        LOG.log(Level.WARNING, "Dropped a malformed message of {0} characters on {1}: {2}", message.length(), channel,
                fault);
    }

    private static String channelOf(Delivery delivery) {
        return switch (delivery.target()) {
            case TOPIC -> RedisKeys.topicChannel(delivery.address());
            case USER -> RedisKeys.userChannel(delivery.address());
            case CHANNEL -> RedisKeys.channelChannel(delivery.address());
            case BROADCAST -> RedisKeys.BROADCAST_CHANNEL;
        };
    }

    private static String channelOf(Interest interest, String name) {
        Objects.requireNonNull(name, "name");
        return switch (interest) {
            case TOPIC -> RedisKeys.topicChannel(name);
            case USER -> RedisKeys.userChannel(name);
            case CHANNEL -> RedisKeys.channelChannel(name);
        };
    }

    private static Kind kindOf(Interest interest) {
        return switch (interest) {
            case TOPIC -> Kind.TOPIC;
            case USER -> Kind.USER;
            case CHANNEL -> Kind.CHANNEL;
        };
    }

    /** How many channels the bus holds an entry for (followed, or waiting to be unsubscribed): for tests. */
    int heldChannels() {
        return subscriptions.size();
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** What this bus believes Redis holds for a channel. */
    private enum State { SUBSCRIBED, UNSUBSCRIBED, UNKNOWN }

    /** One followed pub/sub channel. Fields other than the finals are guarded by the instance's lock. */
    private static final class Subscription {
        final Kind kind;
        final String channel;
        int count;
        State state = State.UNSUBSCRIBED;
        /** Taken out of the map: a follower that found it must look again. */
        boolean removed;

        Subscription(Kind kind, String channel) {
            this.kind = kind;
            this.channel = channel;
        }
    }

    /**
     * One single-thread executor with a bounded queue. The I/O thread only offers to it: when full,
     * the message is dropped and a resynchronisation requested, never waited for.
     */
    private final class Lane {
        final int index;
        final ThreadPoolExecutor executor;
        /** System.nanoTime() of the last overflow warning; written by the I/O thread only. */
        private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - OVERFLOW_WARNING_NANOS);
        private final AtomicLong dropped = new AtomicLong();

        Lane(int index, int capacity) {
            this.index = index;
            this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                    runnable -> daemon(runnable, "switchboard-bus-lane-" + index), (task, pool) -> overflow(pool));
        }

        void execute(Runnable task) {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "The broker failed on a message from the cluster; going on with the next", e);
                }
            });
        }

        private void overflow(ThreadPoolExecutor pool) {
            if (pool.isShutdown()) {
                return; // closing: what is still arriving has nobody to go to
            }
            long total = dropped.incrementAndGet();
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= OVERFLOW_WARNING_NANOS && lastWarning.compareAndSet(last, now)) {
                LOG.log(Level.WARNING, "Cluster bus lane {0} is full; dropped {1} messages so far; topics are read back "
                        + "from the log", index, total);
            }
            requestResynchronisation();
        }
    }
}
