package dev.switchboard.broker;

/**
 * How this node reaches sessions on the other nodes of a cluster (docs/architecture.md, Principles: cluster mode). A
 * single node uses {@link LocalBus}, which reaches nobody; cluster mode uses a bus over Redis.
 *
 * <p>The data plane carries user, channel and broadcast deliveries to the nodes that hold their
 * recipients; topic messages travel with the shared {@link TopicLog}, which announces them to the
 * nodes that {@linkplain #follow follow} the topic. The control plane carries commands to one node
 * (close a session there). Admin queries read the shared registries ({@link ChannelRegistry},
 * {@link Presence}), not the bus.
 *
 * <p>A bus thread never writes to a socket: it calls its {@link Inbound} (the broker), which only
 * enqueues, and keeps each topic's announcements in order. Thread safety: every method may be
 * called from any thread.
 */
public interface ClusterBus extends AutoCloseable {

    /** What a node follows because it holds sessions for it. */
    enum Interest { TOPIC, USER, CHANNEL }

    /** Starts handing what arrives from other nodes to {@code inbound}; called once, by the broker. */
    void start(Inbound inbound);

    /**
     * Asks for what is sent to {@code name}: a topic's announcements, a user's or a channel's
     * deliveries. Counted: a name stays followed until unfollowed as often as followed. Returns
     * once the interest is in effect, so that every announcement appended after the return
     * reaches {@link Inbound#topicMessage}.
     *
     * @throws ClusterUnavailableException if the cluster cannot be reached
     */
    void follow(Interest interest, String name);

    /** Gives up one {@link #follow} of {@code name}. */
    void unfollow(Interest interest, String name);

    /**
     * Hands a user, channel or broadcast delivery to the other nodes that follow its address (every
     * other node for a broadcast); this node's own sessions are the broker's to serve. Does not wait
     * for the other nodes to deliver.
     *
     * @return how many nodes following the address took it (this node counts if it follows the
     *         address too); 0 if no other node holds a session for it. A node that died without
     *         leaving does not count, although the shared registries may still list its sessions.
     * @throws ClusterUnavailableException if the cluster cannot be reached
     */
    int send(Delivery delivery);

    /** Asks node {@code nodeId} to close its session {@code sessionId} with {@code code}. */
    void disconnect(String nodeId, String sessionId, CloseCode code);

    /** Whether the bus reaches the cluster now (readiness). */
    boolean isUp();

    /** Stops following anything and releases the bus's connections. */
    @Override
    void close();

    /** What the bus hands to this node's broker. Called on bus threads; never blocks on a socket. */
    interface Inbound {

        /**
         * A topic message announced by the shared log, with its offset and epoch: per topic in
         * offset order, possibly this node's own and possibly one already seen.
         */
        void topicMessage(Delivery delivery);

        /** A user, channel or broadcast delivery sent by another node. */
        void delivery(Delivery delivery);

        /** Another node asks to close a session of this node. */
        void disconnect(String sessionId, CloseCode code);

        /**
         * The bus was cut off and is back: announcements may have been missed, so every followed
         * topic's position must be checked against the log. Also called periodically.
         */
        void resynchronise();
    }
}
