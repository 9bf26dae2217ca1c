package dev.switchboard.broker;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes messages to sessions: topics, users, channels and everyone, on this node and, through the
 * {@link ClusterParts}, on the other nodes of a cluster. Knows no sockets: every recipient gets the
 * same {@link Delivery} through {@link Subscriber#deliver}, which only enqueues.
 *
 * <p>Topic messages get their offset from the {@link TopicLog}. This node delivers a topic's
 * messages to its own subscribers strictly in offset order: what it publishes itself at once, and
 * what other nodes publish when the log announces it through the {@link ClusterBus}. Each topic's
 * {@link LocalTopic} remembers the last offset delivered here; a duplicate announcement is dropped,
 * and messages missing before an announcement are read back from the log first. If the log no
 * longer holds them, the topic's subscribers here are closed with {@link CloseCode#STREAM_GAP}
 * (they resubscribe and learn {@code recovered: false}): never a silent gap.
 *
 * <p>Messages pushed with an ack required wait in the {@link Inbox} of their user or channel until
 * a session acknowledges them, and are sent again by {@link #redeliverDue()} with backoff, by
 * whichever node claims them first.
 *
 * <p>Nothing grows forever. A topic with no subscriber here, unused for
 * {@link HistoryPolicy#idleTopicTtl()}, is forgotten by {@link #sweep()} (called periodically), and
 * so is its history once expired. History and inboxes kept in this process share a
 * {@link MemoryBudget}: a publish or push that finds it exceeded frees memory down to its
 * low-water mark, the oldest history first across all topics, then the inboxes.
 *
 * <p>Thread safety: all methods may be called from any thread. Per topic, publish, subscribe,
 * unsubscribe and announcements are serialised on the topic's {@link LocalTopic}; the cluster
 * parts are called under that lock and never call back.
 */
public final class Broker implements ChannelGate {

    private static final Logger LOG = System.getLogger(Broker.class.getName());
    /**
     * How long a due inbox message claimed for redelivery is hidden from other claims when no
     * session could take it: it is tried again after this.
     */
    private static final Duration REDELIVERY_CLAIM = Duration.ofSeconds(1);

    private final SubscriptionRegistry subscriptions;
    private final SessionRegistry sessions;
    private final ClusterBus bus;
    private final TopicLog log;
    private final ChannelRegistry channels;
    private final Inbox inbox;
    private final Presence presence;
    private final MessageIds ids;
    private final BrokerStats stats;
    private final Clock clock;
    private final String nodeId;
    private final HistoryPolicy history;
    private final RedeliveryPolicy redelivery;
    private final MemoryBudget budget;
    private final ConcurrentHashMap<String, LocalTopic> topics = new ConcurrentHashMap<>();
    /** This node's open sessions that hold a channel, by channel; the registry has the whole deployment's. */
    private final ConcurrentHashMap<String, Subscriber> localChannels = new ConcurrentHashMap<>();
    /**
     * Ids of the open sessions whose user and channel the bus follows and the presence knows: set
     * once {@link #open} made them known, cleared by the {@link #close} that takes them back (a
     * session may be closed while it is being opened, and then closed again once open returns).
     */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    /**
     * Channels of closed sessions that could not be released because the cluster was out of
     * reach (session id to channel id): released again by {@link #retryReleases()}. Bounded by
     * the sessions closed during an outage.
     */
    private final ConcurrentHashMap<String, String> unreleased = new ConcurrentHashMap<>();
    /** Where session and subscription changes are reported; set once at wiring, before any session. */
    private volatile SessionEvents events = SessionEvents.NONE;

    /**
     * {@code budget} must be the one the in-process parts (topic log, inbox) report to; {@code
     * history} gives the idle time after which an unused topic is forgotten here.
     */
    public Broker(SubscriptionRegistry subscriptions, SessionRegistry sessions, ClusterParts cluster, MessageIds ids,
            BrokerStats stats, Clock clock, String nodeId, HistoryPolicy history, RedeliveryPolicy redelivery,
            MemoryBudget budget) {
        this.subscriptions = subscriptions;
        this.sessions = sessions;
        this.bus = cluster.bus();
        this.log = cluster.topics();
        this.channels = cluster.channels();
        this.inbox = cluster.inbox();
        this.presence = cluster.presence();
        this.ids = ids;
        this.stats = stats;
        this.clock = clock;
        this.nodeId = nodeId;
        this.history = history;
        this.redelivery = redelivery;
        this.budget = budget;
    }

    /**
     * A single node with everything in memory: {@code epoch} is this start's (fresh each time, as
     * nothing is kept across restarts).
     */
    public Broker(SubscriptionRegistry subscriptions, SessionRegistry sessions, ChannelRegistry channels,
            MessageIds ids, BrokerStats stats, Clock clock, String nodeId, String epoch, HistoryPolicy history,
            Inbox inbox, RedeliveryPolicy redelivery, MemoryBudget budget) {
        this(subscriptions, sessions, ClusterParts.singleNode(new InMemoryTopicLog(epoch, history, budget, clock),
                channels, inbox, sessions, subscriptions, nodeId), ids, stats, clock, nodeId, history, redelivery,
                budget);
    }

    /** Reports session and subscription changes to {@code events} from now on. Call before {@link #start}. */
    public void reportEventsTo(SessionEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    /** Starts taking what other nodes send (a no-op for a single node). Call once, after construction. */
    public void start() {
        bus.start(new FromOtherNodes());
    }

    /** This node's name (cluster mode) or host-derived name. */
    public String nodeId() {
        return nodeId;
    }

    public BrokerStats stats() {
        return stats;
    }

    /** Whether the cluster parts can be reached (always, for a single node). */
    public boolean clusterUp() {
        return bus.isUp();
    }

    /**
     * Reserves a channel for a session that is about to open (see {@link ChannelRegistry#claim});
     * under the replace policy, the session that held it is closed with {@link CloseCode#REPLACED},
     * on whichever node it is.
     */
    @Override
    public ChannelClaim claimChannel(String channelId, String user, ChannelPolicy policy) {
        ChannelClaim claim = channels.claim(channelId, user, nodeId, policy);
        if (claim instanceof ChannelClaim.Granted granted && granted.displaced() != null
                && granted.displaced().sessionId() != null) {
            disconnect(granted.displaced(), CloseCode.REPLACED);
        }
        return claim;
    }

    /** Gives up a reservation whose session did not open. */
    @Override
    public void cancelChannel(ChannelReservation reservation) {
        channels.cancel(reservation);
    }

    @Override
    public boolean channelOpen(String channelId) {
        return channels.holder(channelId).isPresent();
    }

    /**
     * Registers an open session, binding it to its channel reservation if it has one. Returns
     * false if the reservation was superseded meanwhile: the session is not registered and the
     * caller must close it with {@link CloseCode#REPLACED}.
     */
    public boolean open(Subscriber session, ChannelReservation reservation) {
        // Registered before it is bound: a claim that displaces it the moment it is bound must find it here.
        sessions.add(session);
        if (session.channelId() != null) {
            localChannels.put(session.channelId(), session);
        }
        if (reservation != null && !channels.bind(reservation, session.sessionId())) {
            localChannels.remove(session.channelId(), session);
            sessions.remove(session);
            return false;
        }
        presence.opened(SessionRecord.of(session, nodeId));
        followQuietly(ClusterBus.Interest.USER, session.user());
        if (session.channelId() != null) {
            followQuietly(ClusterBus.Interest.CHANNEL, session.channelId());
        }
        announced.add(session.sessionId());
        events.opened(session);
        return true;
    }

    /**
     * A user's or channel's deliveries reach this node once the bus follows them; if the cluster
     * is out of reach now, the bus keeps the interest and takes it up when it is back.
     */
    private void followQuietly(ClusterBus.Interest interest, String name) {
        try {
            bus.follow(interest, name);
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.DEBUG, "Following {0} {1} once the cluster is back: {2}", interest, name, e.getMessage());
        }
    }

    /**
     * Hands a session the acknowledged-delivery messages waiting for its user and its channel,
     * oldest first. Sessions call this once they can take messages (after their greeting).
     */
    public void deliverWaiting(Subscriber session) {
        try {
            deliverWaiting(session, userKey(session.user()));
            if (session.channelId() != null) {
                deliverWaiting(session, channelKey(session.channelId()));
            }
        } catch (ClusterUnavailableException e) {
            // The session opened all the same; what waits for it is in the shared inbox, and is
            // sent again by redeliverDue() (sent ones) or on its next connect.
            LOG.log(Level.WARNING, "Waiting messages of session {0} not delivered now: {1}", session.sessionId(),
                    e.getMessage());
        }
    }

    private void deliverWaiting(Subscriber session, String recipient) {
        for (InboxEntry entry : inbox.pending(recipient, clock.instant())) {
            session.deliver(entry.delivery());
            if (entry.attempts() == 0) {
                inbox.markSent(recipient, entry.delivery().id(), clock.instant());
            }
        }
    }

    /**
     * Forgets a closed session: its subscriptions, its channel, its registration. Idempotent, and
     * safe while {@link #open} runs on another thread, provided it is called again once open
     * has returned (the sessions do).
     */
    public void close(Subscriber session, Collection<String> topicNames) {
        for (String topic : topicNames) {
            unsubscribe(topic, session);
        }
        sessions.remove(session);
        if (session.channelId() != null) {
            localChannels.remove(session.channelId(), session);
            release(session.channelId(), session.sessionId());
        }
        if (announced.remove(session.sessionId())) {
            if (session.channelId() != null) {
                bus.unfollow(ClusterBus.Interest.CHANNEL, session.channelId());
            }
            bus.unfollow(ClusterBus.Interest.USER, session.user());
            try {
                presence.closed(SessionRecord.of(session, nodeId));
            } catch (ClusterUnavailableException e) {
                LOG.log(Level.WARNING, "Presence of closed session {0} could not be updated now: {1}",
                        session.sessionId(), e.getMessage());
            }
            events.closed(session, session.closeCode());
        }
    }

    /**
     * Subscribes a session. With {@code since}, the messages published after that position are
     * first handed to {@code replay}, oldest first, if {@code since} is in the topic's current epoch
     * and the log still holds all of them ({@code recovered}); otherwise nothing is replayed and
     * {@code recovered} is false (also when the topic was forgotten meanwhile: its epoch is new, or
     * when the session could not queue the whole replay, see {@link Subscriber#canTakeReplay}).
     * Then {@code beforeLive} is called with the outcome. Both run while the topic is locked, so
     * what they enqueue precedes every live message after the subscription: no gap and no
     * duplicate at the seam.
     *
     * @throws ClusterUnavailableException if the cluster's log cannot be reached; the session is
     *         not subscribed
     */
    public SubscribeOutcome subscribe(String topic, Subscriber session, StreamPosition since,
            Consumer<Delivery> replay, Consumer<SubscribeOutcome> beforeLive) {
        while (true) {
            LocalTopic local = topic(topic);
            synchronized (local) {
                if (local.retired()) {
                    continue; // forgotten since we looked it up: take the topic's new state
                }
                local.touch(clock.instant());
                position(topic, local);
                List<Delivery> missed;
                try {
                    missed = missedSince(topic, local, since);
                } catch (RuntimeException e) {
                    if (subscriptions.subscribers(topic).isEmpty()) {
                        // Positioned for this subscriber alone, which is not coming: follow nothing.
                        local.forgetPosition();
                        bus.unfollow(ClusterBus.Interest.TOPIC, topic);
                    }
                    throw e;
                }
                boolean recovered = missed != null && session.canTakeReplay(missed);
                if (recovered) {
                    missed.forEach(replay);
                    stats.delivered(missed.size());
                }
                if (subscriptions.subscribe(topic, session)) {
                    presence.joined(topic, session.user());
                    events.subscribed(topic, session);
                }
                SubscribeOutcome outcome = new SubscribeOutcome(topic, local.offset(), local.epoch(), recovered);
                beforeLive.accept(outcome);
                return outcome;
            }
        }
    }

    /**
     * What a subscriber resuming from {@code since} missed, up to this node's cursor: null if it
     * cannot be recovered (another epoch, or the log no longer holds it all). Under the topic's lock.
     */
    private List<Delivery> missedSince(String topic, LocalTopic local, StreamPosition since) {
        if (since == null || !since.epoch().equals(local.epoch())) {
            return null;
        }
        if (since.offset() > local.offset()) {
            // The client has seen more than this node delivered (it read it on another node, or
            // announcements are late): bring this node's subscribers that far first.
            return catchUp(topic, local, since.offset()) ? List.of() : null;
        }
        return log.read(topic, since, local.offset());
    }

    /** Starts following a topic that has no subscriber here yet, and takes its position. Under the topic's lock. */
    private void position(String topic, LocalTopic local) {
        if (local.positioned()) {
            return;
        }
        try {
            // Followed before the position is read: every announcement after that position reaches us.
            bus.follow(ClusterBus.Interest.TOPIC, topic); // counted even when it throws
            local.moveTo(log.position(topic));
        } catch (RuntimeException e) {
            bus.unfollow(ClusterBus.Interest.TOPIC, topic);
            throw e;
        }
    }

    /**
     * Delivers the topic's messages from this node's cursor up to {@code offset} to the subscribers
     * here. False if the log no longer holds them all (the caller decides what that means).
     * Under the topic's lock.
     */
    private boolean catchUp(String topic, LocalTopic local, long offset) {
        List<Delivery> missed = log.read(topic, local.cursor(), offset);
        if (missed == null || missed.size() != offset - local.offset()) {
            return false;
        }
        List<Subscriber> recipients = subscriptions.subscribers(topic);
        for (Delivery delivery : missed) {
            deliverToAll(recipients, delivery);
        }
        local.moveTo(new StreamPosition(offset, local.epoch()));
        return true;
    }

    public boolean unsubscribe(String topic, Subscriber session) {
        LocalTopic local = topics.get(topic);
        if (local == null) {
            return subscriptions.unsubscribe(topic, session); // not subscribed: a topic with subscribers is never retired
        }
        synchronized (local) {
            boolean removed = subscriptions.unsubscribe(topic, session);
            if (removed) {
                local.touch(clock.instant()); // the idle time counts from the last subscriber leaving
                presence.left(topic, session.user());
                events.unsubscribed(topic, session);
                if (local.positioned() && subscriptions.subscribers(topic).isEmpty()) {
                    local.forgetPosition();
                    bus.unfollow(ClusterBus.Interest.TOPIC, topic);
                }
            }
            return removed;
        }
    }

    /**
     * Publishes to a topic's subscribers on every node; the message gets the topic's next offset.
     *
     * @throws ClusterUnavailableException if the cluster's log cannot be reached
     */
    public PublishReceipt publish(String topic, String dataJson) {
        return publish(topic, (id, timestamp) -> Delivery.toTopic(id, topic, 0, null, dataJson, timestamp));
    }

    /**
     * Publishes a binary payload to a topic: protocols that carry bytes get them with their
     * content type, JSON protocols get them in base64 (see {@link Delivery}).
     */
    public PublishReceipt publishBinary(String topic, byte[] body, String contentType) {
        return publish(topic, (id, timestamp) -> Delivery.toTopicBinary(id, topic, 0, null, body, contentType,
                timestamp));
    }

    /** Makes a topic message once its id and time are assigned; the log gives its position. */
    private interface TopicMessageFactory {
        Delivery create(String id, Instant timestamp);
    }

    private PublishReceipt publish(String topic, TopicMessageFactory factory) {
        stats.accepted();
        PublishReceipt receipt = null;
        while (receipt == null) {
            LocalTopic local = topic(topic);
            synchronized (local) {
                if (local.retired()) {
                    continue; // forgotten since we looked it up: take the topic's new state
                }
                Instant now = clock.instant();
                local.touch(now);
                Delivery message = factory.create(ids.next(), now);
                StreamPosition position = log.append(topic, message);
                Delivery delivery = message.at(position.offset(), position.epoch());
                int recipients = local.positioned() ? deliverInOrder(topic, local, delivery) : 0;
                receipt = new PublishReceipt(delivery.id(), position.offset(), position.epoch(), recipients);
            }
        }
        // Outside the topic's lock: freeing memory locks other topics, one at a time.
        if (budget.exceeded()) {
            reclaim();
        }
        return receipt;
    }

    /**
     * Delivers a topic message to this node's subscribers if it is the next after the cursor,
     * after reading back any missed before it; drops one already delivered. Under the topic's
     * lock, with the topic positioned. Returns how many sessions got it.
     */
    private int deliverInOrder(String topic, LocalTopic local, Delivery delivery) {
        if (!delivery.epoch().equals(local.epoch())) {
            breakStream(topic, local, new StreamPosition(delivery.offset(), delivery.epoch()),
                    "the topic's epoch changed from " + local.epoch() + " to " + delivery.epoch());
            return 0;
        }
        if (delivery.offset() <= local.offset()) {
            return 0; // delivered already: our own publish announced back, or read back after a gap
        }
        if (delivery.offset() > local.offset() + 1 && !catchUp(topic, local, delivery.offset() - 1)) {
            breakStream(topic, local, delivery.position(),
                    "offsets " + (local.offset() + 1) + " to " + (delivery.offset() - 1) + " are no longer in the log");
            return 0;
        }
        local.moveTo(delivery.position());
        return deliverToAll(subscriptions.subscribers(topic), delivery);
    }

    /**
     * This node missed messages of a topic that the log no longer holds: its subscribers here
     * would see a silent gap, so they are closed with {@link CloseCode#STREAM_GAP}, and the cursor
     * moves on to {@code now}. Under the topic's lock.
     */
    private void breakStream(String topic, LocalTopic local, StreamPosition now, String why) {
        List<Subscriber> affected = subscriptions.subscribers(topic);
        LOG.log(Level.WARNING, "Topic {0}: {1}; closing its {2} subscriber(s) on this node with {3} so that "
                + "they resubscribe", topic, why, affected.size(), String.valueOf(CloseCode.STREAM_GAP.code()));
        for (Subscriber session : affected) {
            session.disconnect(CloseCode.STREAM_GAP);
        }
        local.moveTo(now);
    }

    /**
     * Pushes to every open session of {@code user}, on every node; {@code destination} may be
     * null. With {@code ackRequired}, the message also waits in the user's inbox until a session
     * acks it, and reaches sessions that open later. The receipt counts the user's open sessions
     * in the whole deployment when it was pushed.
     */
    public PushReceipt pushToUser(String user, String destination, String dataJson, boolean ackRequired) {
        Delivery delivery = Delivery.toUser(ids.next(), user, destination, dataJson, clock.instant(), ackRequired);
        if (ackRequired) {
            stats.deadLettered(inbox.add(userKey(user), delivery, clock.instant()).size());
        }
        // To the other nodes first: if the cluster is out of reach, nobody has it yet and the caller may retry.
        bus.send(delivery);
        stats.accepted();
        int here = deliverToAll(sessions.ofUser(user), delivery);
        int reached = sessionCountOr(user, here);
        settleTracked(userKey(user), delivery, reached);
        return new PushReceipt(delivery.id(), reached);
    }

    /** The user's open sessions on every node, or {@code here} if the cluster cannot say now. */
    private int sessionCountOr(String user, int here) {
        try {
            return presence.sessionCount(user);
        } catch (ClusterUnavailableException e) {
            LOG.log(Level.DEBUG, "Counting the sessions of a user on this node only: {0}", e.getMessage());
            return here;
        }
    }

    /**
     * Pushes to the session holding {@code channelId}, on whichever node; empty if the channel is
     * not open. With {@code ackRequired}, the message waits until acked, also across a reconnect
     * of the channel.
     */
    public Optional<PushReceipt> pushToChannel(String channelId, String dataJson, boolean ackRequired) {
        Optional<ChannelHolder> holder = channels.holder(channelId);
        if (holder.isEmpty()) {
            return Optional.empty();
        }
        stats.accepted();
        Delivery delivery = Delivery.toChannel(ids.next(), channelId, dataJson, clock.instant(), ackRequired);
        if (ackRequired) {
            stats.deadLettered(inbox.add(channelKey(channelId), delivery, clock.instant()).size());
        }
        deliverToChannel(holder.get(), delivery);
        settleTracked(channelKey(channelId), delivery, 1);
        return Optional.of(new PushReceipt(delivery.id(), 1));
    }

    /** Hands a channel delivery to the holder's node; returns how many sessions (or nodes) took it. */
    private int deliverToChannel(ChannelHolder holder, Delivery delivery) {
        if (holder.nodeId().equals(nodeId)) {
            Subscriber session = localChannels.get(holder.channelId());
            return session == null ? 0 : deliverToAll(List.of(session), delivery);
        }
        return bus.send(delivery);
    }

    /** After a tracked push reached {@code reached} sessions: its backoff starts if any got it. */
    private void settleTracked(String recipient, Delivery delivery, int reached) {
        if (!delivery.ackRequired()) {
            return;
        }
        if (reached > 0) {
            inbox.markSent(recipient, delivery.id(), clock.instant());
        }
        if (budget.exceeded()) {
            reclaim();
        }
    }

    /**
     * A session acknowledges a message: it leaves the inbox of the session's user (or channel), for
     * every session of it. Acking an unknown or settled id is harmless; returns whether it was pending.
     */
    public boolean acknowledge(Subscriber session, String messageId) {
        boolean acked = inbox.acknowledge(userKey(session.user()), messageId);
        if (!acked && session.channelId() != null) {
            acked = inbox.acknowledge(channelKey(session.channelId()), messageId);
        }
        return acked;
    }

    /**
     * Sends again every unacknowledged message whose backoff has passed, to the open sessions of
     * its recipient on every node; gives up (dead letter) after the last attempt. A recipient with
     * no open session keeps its messages until one opens. Called periodically on every node; each
     * due message is claimed by one of them. The clock decides what is due.
     */
    public void redeliverDue() {
        Instant now = clock.instant();
        for (Inbox.Due due : inbox.claimDue(now, REDELIVERY_CLAIM)) {
            Delivery delivery = due.entry().delivery();
            if (due.entry().attempts() >= redelivery.maxAttempts()) {
                inbox.kill(due.recipient(), delivery.id(), "not acknowledged after " + due.entry().attempts()
                        + " deliveries", now);
                stats.deadLettered(1);
                continue;
            }
            if (redeliver(delivery)) {
                stats.countRedelivery();
                inbox.markSent(due.recipient(), delivery.id(), now);
            }
        }
    }

    private boolean redeliver(Delivery delivery) {
        if (delivery.target() == Delivery.Target.CHANNEL) {
            // As below: a holder on a node that died still counts until its lease runs out, but its
            // node takes nothing, so no attempt is spent on it.
            Optional<ChannelHolder> holder = channels.holder(delivery.address());
            return holder.isPresent() && deliverToChannel(holder.get(), delivery) > 0;
        }
        int here = deliverToAll(sessions.ofUser(delivery.address()), delivery);
        // An attempt counts only if a session here or a node following the user took it: presence
        // would still list a killed node's sessions until its lease runs out, the bus's count does not.
        return bus.send(delivery) + here > 0;
    }

    /** A user's messages awaiting acknowledgement, oldest first. */
    public List<InboxEntry> pendingFor(String user) {
        return inbox.pending(userKey(user), clock.instant());
    }

    /** A user's recent dead letters, oldest first. */
    public List<InboxEntry> deadLettersOf(String user) {
        return inbox.deadLetters(userKey(user));
    }

    /** A channel's messages awaiting acknowledgement, oldest first. */
    public List<InboxEntry> pendingForChannel(String channelId) {
        return inbox.pending(channelKey(channelId), clock.instant());
    }

    /** A channel's recent dead letters, oldest first. */
    public List<InboxEntry> deadLettersOfChannel(String channelId) {
        return inbox.deadLetters(channelKey(channelId));
    }

    private static String userKey(String user) {
        return "user:" + user;
    }

    private static String channelKey(String channelId) {
        return "channel:" + channelId;
    }

    /**
     * Pushes to every open session of every node. The receipt counts this node's sessions; the
     * other nodes deliver to theirs.
     */
    public PushReceipt broadcast(String dataJson) {
        Delivery delivery = Delivery.toEveryone(ids.next(), dataJson, clock.instant());
        bus.send(delivery); // first: if the cluster is out of reach, nobody has it yet and the caller may retry
        stats.accepted();
        return new PushReceipt(delivery.id(), deliverToAll(sessions.all(), delivery));
    }

    private int deliverToAll(Collection<Subscriber> recipients, Delivery delivery) {
        for (Subscriber recipient : recipients) {
            recipient.deliver(delivery);
        }
        stats.delivered(recipients.size());
        return recipients.size();
    }

    /** Closes the session holding {@code channelId}, on whichever node; false if none is open. */
    public boolean disconnectChannel(String channelId, CloseCode reason) {
        Optional<ChannelHolder> holder = channels.holder(channelId);
        holder.ifPresent(h -> disconnect(h, reason));
        return holder.isPresent();
    }

    private void disconnect(ChannelHolder holder, CloseCode reason) {
        if (holder.nodeId().equals(nodeId)) {
            sessions.find(holder.sessionId()).ifPresent(session -> session.disconnect(reason));
        } else {
            bus.disconnect(holder.nodeId(), holder.sessionId(), reason);
        }
    }

    private void release(String channelId, String sessionId) {
        try {
            channels.release(channelId, sessionId);
            unreleased.remove(sessionId);
        } catch (ClusterUnavailableException e) {
            // Left as it is, the claim would keep the channel for a session that is gone, for as long
            // as this node lives: try again once the cluster is back.
            unreleased.put(sessionId, channelId);
            LOG.log(Level.WARNING, "Channel {0} of closed session {1} could not be released now, will retry: {2}",
                    channelId, sessionId, e.getMessage());
        }
    }

    /**
     * Releases the channels whose release failed while the cluster was out of reach. Called
     * periodically; a no-op while nothing failed.
     */
    public void retryReleases() {
        unreleased.forEach(this::release);
    }

    /** Closes every session of this node that holds a channel (self-fencing in cluster mode). */
    public void disconnectChannelSessions(CloseCode reason) {
        for (Subscriber session : localChannels.values()) {
            session.disconnect(reason);
        }
    }

    /** Closes every open session of this node (shutdown). */
    public void disconnectAll(CloseCode reason) {
        for (Subscriber session : sessions.all()) {
            session.disconnect(reason);
        }
    }

    /** Every open channel of the deployment. */
    public List<ChannelHolder> openChannels() {
        return channels.openChannels();
    }

    /** A user's open sessions on every node. */
    public List<SessionRecord> sessionsOf(String user) {
        return presence.sessionsOf(user);
    }

    /** Distinct users subscribed to {@code topic} on every node. */
    public Set<String> presence(String topic) {
        return presence.usersOf(topic);
    }

    /**
     * Topics followed on any live node, by name, each with how many distinct users follow it. At
     * most {@code limit} topics are looked at; {@link TopicCounts#truncated} says there were more.
     */
    public TopicCounts topics(int limit) {
        List<String> names = presence.topics(limit + 1);
        SortedMap<String, Integer> usersByTopic = new TreeMap<>();
        for (String topic : names.subList(0, Math.min(limit, names.size()))) {
            int users = presence.usersOf(topic).size();
            if (users > 0) {
                usersByTopic.put(topic, users);
            }
        }
        return new TopicCounts(usersByTopic, names.size() > limit);
    }

    /** Every live node's figures, this node's first (this node's published as it goes). */
    public List<NodeReport> nodes() {
        return presence.nodes(new NodeReport(nodeId, stats.figures(sessionCount(), subscriptionCount())));
    }

    /**
     * Reports offline the users, and vacated the topics, whose sessions were all on nodes that
     * died without closing them (cluster mode; see {@link SessionEvents#reapDepartedNodes}).
     * Called periodically.
     */
    public void reapDepartedNodes() {
        events.reapDepartedNodes();
    }

    /**
     * Publishes this node's figures to the other nodes' stats (cluster mode; a single node keeps
     * them to itself). Called periodically.
     */
    public void reportToCluster() {
        nodes();
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** Topics this process keeps state for: with a subscriber, with history, or used within the idle time. */
    public int topicCount() {
        return log.topicCount();
    }

    /** What history and inboxes hold in this process, against their budget. */
    public MemoryBudget memory() {
        return budget;
    }

    /**
     * Forgets idle topics (no subscriber here, unused for the idle time) and expired history and,
     * if the memory budget is exceeded, frees memory. Called periodically; cost is one uncontended
     * lock per topic.
     */
    public void sweep() {
        Instant now = clock.instant();
        Instant notUsedAfter = now.minus(history.idleTopicTtl());
        for (Map.Entry<String, LocalTopic> entry : topics.entrySet()) {
            LocalTopic local = entry.getValue();
            synchronized (local) {
                // Checked under the topic's lock, which every subscribe takes before registering:
                // no subscriber can be on its way in.
                if (!local.retired() && !local.positioned() && local.idleSince(notUsedAfter)
                        && subscriptions.subscribers(entry.getKey()).isEmpty()) {
                    local.retire();
                    topics.remove(entry.getKey(), local);
                }
            }
        }
        log.sweep(now, topics::containsKey);
        if (budget.exceeded()) {
            reclaim();
        }
    }

    /**
     * Frees memory down to the budget's low-water mark: the oldest history first, across all
     * topics (by publication time), then the inboxes. One thread at a time; others go on.
     */
    private void reclaim() {
        if (!budget.tryStartReclaim()) {
            return;
        }
        try {
            long before = budget.used();
            long evicted = log.shed();
            stats.historyEvicted(evicted);
            int givenUp = budget.aboveLowWater() ? inbox.shed() : 0;
            stats.deadLettered(givenUp);
            LOG.log(Level.DEBUG, "Memory budget of {0} B exceeded ({1} B): {2} history messages evicted, "
                    + "{3} inbox messages given up, now {4} B", budget.limit(), before, evicted, givenUp, budget.used());
        } finally {
            budget.endReclaim();
        }
    }

    /** The topic's state on this node; made if it has none. */
    private LocalTopic topic(String topic) {
        LocalTopic local = topics.get(topic); // no lock on the hot path when it exists
        if (local != null) {
            return local;
        }
        return topics.computeIfAbsent(topic, t -> new LocalTopic(clock.instant()));
    }

    /**
     * Records again every channel this node's sessions hold, in case the registry lost them (Redis
     * restarted without its data): otherwise a second session could open on a channel one of ours
     * holds. A session whose channel another node took meanwhile is closed with 4009. One registry
     * call per channel held here, on every resynchronisation.
     */
    private void reassertChannels() {
        for (Subscriber session : localChannels.values()) {
            ChannelHolder holder = new ChannelHolder(session.channelId(), session.user(), nodeId, session.sessionId(),
                    session.openedAt());
            // Only sessions whose open() has finished: one still being opened is registered before
            // its reservation is bound, and the registry would rightly say it does not hold the channel yet.
            if (announced.contains(session.sessionId()) && !channels.reassert(holder)) {
                LOG.log(Level.WARNING, "Channel {0} of session {1} is held elsewhere now; closing it with {2}",
                        session.channelId(), session.sessionId(), String.valueOf(CloseCode.REPLACED.code()));
                session.disconnect(CloseCode.REPLACED);
            }
        }
    }

    /** What the bus hands over from other nodes: delivered here as if published here. */
    private final class FromOtherNodes implements ClusterBus.Inbound {

        @Override
        public void topicMessage(Delivery delivery) {
            LocalTopic local = topics.get(delivery.address());
            if (local == null) {
                return; // not followed any more
            }
            synchronized (local) {
                if (!local.retired() && local.positioned()) {
                    deliverInOrder(delivery.address(), local, delivery);
                }
            }
        }

        @Override
        public void delivery(Delivery delivery) {
            switch (delivery.target()) {
                case USER -> deliverToAll(sessions.ofUser(delivery.address()), delivery);
                case CHANNEL -> {
                    Subscriber session = localChannels.get(delivery.address());
                    if (session != null) {
                        deliverToAll(List.of(session), delivery);
                    }
                }
                case BROADCAST -> deliverToAll(sessions.all(), delivery);
                case TOPIC -> topicMessage(delivery);
            }
        }

        @Override
        public void disconnect(String sessionId, CloseCode code) {
            sessions.find(sessionId).ifPresent(session -> session.disconnect(code));
        }

        @Override
        public void resynchronise() {
            reassertChannels();
            for (Map.Entry<String, LocalTopic> entry : topics.entrySet()) {
                LocalTopic local = entry.getValue();
                synchronized (local) {
                    if (local.retired() || !local.positioned()) {
                        continue;
                    }
                    StreamPosition now = log.position(entry.getKey());
                    if (!now.epoch().equals(local.epoch())) {
                        breakStream(entry.getKey(), local, now,
                                "the topic's epoch changed from " + local.epoch() + " to " + now.epoch());
                    } else if (now.offset() > local.offset() && !catchUp(entry.getKey(), local, now.offset())) {
                        breakStream(entry.getKey(), local, now, "offsets " + (local.offset() + 1) + " to "
                                + now.offset() + " are no longer in the log");
                    }
                }
            }
        }
    }
}
