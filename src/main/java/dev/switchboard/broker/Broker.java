package dev.switchboard.broker;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Routes messages to sessions: topics, users, channels and everyone. Knows no sockets: every
 * recipient gets the same {@link Delivery} through {@link Subscriber#deliver}, which only enqueues.
 *
 * <p>Messages pushed with an ack required wait in the {@link Inbox} of their user or channel until
 * a session acknowledges them, and are sent again by {@link #redeliverDue()} with backoff.
 *
 * <p>Nothing grows forever. A topic with no subscriber and no history left is forgotten once it
 * has been unused for {@link HistoryPolicy#idleTopicTtl()} ({@link #sweep()}, called periodically);
 * used again, it starts over in a new epoch (each topic stream has its own: this broker's epoch
 * plus a per-stream counter), so a {@code since} from before answers {@code recovered: false}.
 * History and inboxes share a {@link MemoryBudget}: a publish or push that finds it exceeded frees
 * memory down to its low-water mark, the oldest history first across all topics, then the inboxes
 * (see {@link Inbox#shed()}).
 *
 * <p>Thread safety: all methods may be called from any thread. Per topic, publish and subscribe
 * are serialised (see {@link TopicStream}); the inbox locks per recipient. Freeing memory locks
 * one topic at a time and runs on one thread at a time; no publish waits for it.
 */
public final class Broker {

    private static final Logger LOG = System.getLogger(Broker.class.getName());

    private final SubscriptionRegistry subscriptions;
    private final SessionRegistry sessions;
    private final ChannelRegistry channels;
    private final MessageIds ids;
    private final BrokerStats stats;
    private final Clock clock;
    private final String nodeId;
    private final String epoch;
    private final HistoryPolicy history;
    private final Inbox inbox;
    private final RedeliveryPolicy redelivery;
    private final MemoryBudget budget;
    private final ConcurrentHashMap<String, TopicStream> streams = new ConcurrentHashMap<>();
    /** Numbers the streams made, for their epochs: a topic made again never reuses an epoch. */
    private final AtomicLong streamsMade = new AtomicLong();

    /**
     * {@code epoch} is this broker's (a fresh one per start); {@code budget} must be the one the
     * {@code inbox} reports to, if it keeps messages in this process.
     */
    public Broker(SubscriptionRegistry subscriptions, SessionRegistry sessions, ChannelRegistry channels,
            MessageIds ids, BrokerStats stats, Clock clock, String nodeId, String epoch, HistoryPolicy history,
            Inbox inbox, RedeliveryPolicy redelivery, MemoryBudget budget) {
        this.subscriptions = subscriptions;
        this.sessions = sessions;
        this.channels = channels;
        this.ids = ids;
        this.stats = stats;
        this.clock = clock;
        this.nodeId = nodeId;
        this.epoch = epoch;
        this.history = history;
        this.inbox = inbox;
        this.redelivery = redelivery;
        this.budget = budget;
    }

    /** This node's name (cluster mode) or host-derived name. */
    public String nodeId() {
        return nodeId;
    }

    public BrokerStats stats() {
        return stats;
    }

    /** Reserves a channel for a session that is about to open (see {@link ChannelRegistry#claim}). */
    public ChannelClaim claimChannel(String channelId, String user, ChannelPolicy policy) {
        return channels.claim(channelId, user, policy);
    }

    /** Gives up a reservation whose session did not open. */
    public void cancelChannel(ChannelReservation reservation) {
        channels.cancel(reservation);
    }

    /**
     * Registers an open session, binding it to its channel reservation if it has one. Returns
     * false if the reservation was superseded meanwhile: the session is not registered and the
     * caller must close it with {@link CloseCode#REPLACED}.
     */
    public boolean open(Subscriber session, ChannelReservation reservation) {
        if (reservation != null && !channels.bind(reservation, session)) {
            return false;
        }
        sessions.add(session);
        return true;
    }

    /**
     * Hands a session the acknowledged-delivery messages waiting for its user and its channel,
     * oldest first. Sessions call this once they can take messages (after their greeting).
     */
    public void deliverWaiting(Subscriber session) {
        deliverWaiting(session, userKey(session.user()));
        if (session.channelId() != null) {
            deliverWaiting(session, channelKey(session.channelId()));
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

    /** Forgets a closed session: its subscriptions, its channel, its registration. Idempotent. */
    public void close(Subscriber session, Collection<String> topics) {
        for (String topic : topics) {
            unsubscribe(topic, session);
        }
        if (session.channelId() != null) {
            channels.release(session.channelId(), session);
        }
        sessions.remove(session);
    }

    /**
     * Subscribes a session. With {@code since}, the messages published after that position are
     * first handed to {@code replay}, oldest first, if {@code since} is in the topic's current epoch
     * and its history still holds all of them ({@code recovered}); otherwise nothing is replayed and
     * {@code recovered} is false (also when the topic was forgotten meanwhile: its epoch is new, or
     * when the session could not queue the whole replay, see {@link Subscriber#canTakeReplay}).
     * Then {@code beforeLive} is called with the outcome. Both run while the topic is locked, so
     * what they enqueue precedes every live message published after the subscription: no gap and
     * no duplicate at the seam.
     */
    public SubscribeOutcome subscribe(String topic, Subscriber session, StreamPosition since,
            Consumer<Delivery> replay, Consumer<SubscribeOutcome> beforeLive) {
        while (true) {
            TopicStream stream = stream(topic);
            synchronized (stream) {
                if (stream.retired()) {
                    continue; // forgotten since we looked it up: take the topic's new stream
                }
                Instant now = clock.instant();
                stream.touch(now);
                subscriptions.subscribe(topic, session);
                long last = stream.lastOffset();
                boolean recovered = false;
                if (since != null && stream.epoch().equals(since.epoch())) {
                    List<Delivery> missed = stream.after(since.offset(), history, now);
                    if (missed != null && session.canTakeReplay(missed)) {
                        missed.forEach(replay);
                        stats.delivered(missed.size());
                        recovered = true;
                    }
                }
                SubscribeOutcome outcome = new SubscribeOutcome(topic, last, stream.epoch(), recovered);
                beforeLive.accept(outcome);
                return outcome;
            }
        }
    }

    public boolean unsubscribe(String topic, Subscriber session) {
        boolean removed = subscriptions.unsubscribe(topic, session);
        TopicStream stream = streams.get(topic);
        if (removed && stream != null) {
            stream.touch(clock.instant()); // the idle time counts from the last subscriber leaving
        }
        return removed;
    }

    /** Publishes to a topic's subscribers; the message gets the topic's next offset. */
    public PublishReceipt publish(String topic, String dataJson) {
        return publish(topic, (id, offset, epoch, timestamp) -> Delivery.toTopic(id, topic, offset, epoch, dataJson,
                timestamp));
    }

    /**
     * Publishes a binary payload to a topic: protocols that carry bytes get them with their
     * content type, JSON protocols get them in base64 (see {@link Delivery}).
     */
    public PublishReceipt publishBinary(String topic, byte[] body, String contentType) {
        return publish(topic, (id, offset, epoch, timestamp) -> Delivery.toTopicBinary(id, topic, offset, epoch, body,
                contentType, timestamp));
    }

    /** Makes a topic delivery once its id, offset, epoch and time are assigned. */
    private interface TopicDeliveryFactory {
        Delivery create(String id, long offset, String epoch, Instant timestamp);
    }

    private PublishReceipt publish(String topic, TopicDeliveryFactory factory) {
        stats.accepted();
        PublishReceipt receipt = null;
        while (receipt == null) {
            TopicStream stream = stream(topic);
            synchronized (stream) {
                if (stream.retired()) {
                    continue; // forgotten since we looked it up: take the topic's new stream
                }
                Delivery delivery = factory.create(ids.next(), stream.nextOffset(), stream.epoch(), clock.instant());
                stream.remember(delivery, history, delivery.timestamp());
                int recipients = deliverToAll(subscriptions.subscribers(topic), delivery);
                receipt = new PublishReceipt(delivery.id(), delivery.offset(), stream.epoch(), recipients);
            }
        }
        // Outside the topic's lock: freeing memory locks other topics, one at a time.
        if (budget.exceeded()) {
            reclaim();
        }
        return receipt;
    }

    /**
     * Pushes to every open session of {@code user}; {@code destination} may be null. With
     * {@code ackRequired}, the message also waits in the user's inbox until a session acks it,
     * and reaches sessions that open later.
     */
    public PushReceipt pushToUser(String user, String destination, String dataJson, boolean ackRequired) {
        stats.accepted();
        Delivery delivery = Delivery.toUser(ids.next(), user, destination, dataJson, clock.instant(), ackRequired);
        return new PushReceipt(delivery.id(), deliverTracked(userKey(user), sessions.ofUser(user), delivery));
    }

    /**
     * Pushes to the session holding {@code channelId}; empty if the channel is not open. With
     * {@code ackRequired}, the message waits until acked, also across a reconnect of the channel.
     */
    public Optional<PushReceipt> pushToChannel(String channelId, String dataJson, boolean ackRequired) {
        Optional<Subscriber> holder = channels.holder(channelId);
        if (holder.isEmpty()) {
            return Optional.empty();
        }
        stats.accepted();
        Delivery delivery = Delivery.toChannel(ids.next(), channelId, dataJson, clock.instant(), ackRequired);
        return Optional.of(new PushReceipt(delivery.id(),
                deliverTracked(channelKey(channelId), List.of(holder.get()), delivery)));
    }

    private int deliverTracked(String recipient, Collection<Subscriber> recipients, Delivery delivery) {
        if (delivery.ackRequired()) {
            stats.deadLettered(inbox.add(recipient, delivery, clock.instant()).size());
        }
        int delivered = deliverToAll(recipients, delivery);
        if (delivery.ackRequired() && delivered > 0) {
            inbox.markSent(recipient, delivery.id(), clock.instant());
        }
        if (delivery.ackRequired() && budget.exceeded()) {
            reclaim();
        }
        return delivered;
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
     * its recipient; gives up (dead letter) after the last attempt. A recipient with no open
     * session keeps its messages until one opens. Called periodically; the clock decides what is due.
     */
    public void redeliverDue() {
        Instant now = clock.instant();
        for (Inbox.Due due : inbox.due(now)) {
            Delivery delivery = due.entry().delivery();
            if (due.entry().attempts() >= redelivery.maxAttempts()) {
                inbox.kill(due.recipient(), delivery.id(), "not acknowledged after " + due.entry().attempts()
                        + " deliveries", now);
                stats.deadLettered(1);
                continue;
            }
            Collection<Subscriber> recipients = recipientsOf(due.recipient(), delivery);
            if (!recipients.isEmpty()) {
                deliverToAll(recipients, delivery);
                stats.countRedelivery();
                inbox.markSent(due.recipient(), delivery.id(), now);
            }
        }
    }

    private Collection<Subscriber> recipientsOf(String recipient, Delivery delivery) {
        return delivery.target() == Delivery.Target.CHANNEL
                ? channels.holder(delivery.address()).map(List::of).orElse(List.of())
                : sessions.ofUser(delivery.address());
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

    /** Pushes to every open session of this node. */
    public PushReceipt broadcast(String dataJson) {
        stats.accepted();
        Delivery delivery = Delivery.toEveryone(ids.next(), dataJson, clock.instant());
        return new PushReceipt(delivery.id(), deliverToAll(sessions.all(), delivery));
    }

    private int deliverToAll(Collection<Subscriber> recipients, Delivery delivery) {
        for (Subscriber recipient : recipients) {
            recipient.deliver(delivery);
        }
        stats.delivered(recipients.size());
        return recipients.size();
    }

    /** Closes the session holding {@code channelId}; false if none is open. */
    public boolean disconnectChannel(String channelId, CloseCode reason) {
        Optional<Subscriber> holder = channels.holder(channelId);
        holder.ifPresent(session -> session.disconnect(reason));
        return holder.isPresent();
    }

    /** Closes every open session of this node (shutdown). */
    public void disconnectAll(CloseCode reason) {
        for (Subscriber session : sessions.all()) {
            session.disconnect(reason);
        }
    }

    public List<Subscriber> openChannels() {
        return channels.openChannels();
    }

    public List<Subscriber> sessionsOf(String user) {
        return sessions.ofUser(user);
    }

    /** Distinct users subscribed to {@code topic} on this node. */
    public Set<String> presence(String topic) {
        Set<String> users = new HashSet<>();
        for (Subscriber session : subscriptions.subscribers(topic)) {
            users.add(session.user());
        }
        return users;
    }

    public int sessionCount() {
        return sessions.size();
    }

    public int subscriptionCount() {
        return subscriptions.size();
    }

    /** Topics this node knows: with a subscriber, with history, or used within the idle time. */
    public int topicCount() {
        return streams.size();
    }

    /** What history and inboxes hold, against their budget. */
    public MemoryBudget memory() {
        return budget;
    }

    /**
     * Forgets idle topics (no subscriber, no history left after the TTL, unused for the idle time)
     * and, if the memory budget is exceeded, frees memory. Called periodically; cost is one
     * uncontended lock per topic.
     */
    public void sweep() {
        Instant now = clock.instant();
        for (Map.Entry<String, TopicStream> entry : streams.entrySet()) {
            TopicStream stream = entry.getValue();
            synchronized (stream) {
                stream.expire(history, now); // also for topics that nobody publishes to any more
                // Checked under the stream's lock, which every subscribe takes before registering:
                // no subscriber can be on its way in.
                if (!stream.retired() && subscriptions.subscribers(entry.getKey()).isEmpty()
                        && stream.idle(history, now)) {
                    stream.retire();
                    streams.remove(entry.getKey(), stream);
                }
            }
        }
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
            long evicted = evictOldestHistory();
            stats.historyEvicted(evicted);
            int givenUp = budget.aboveLowWater() ? inbox.shed() : 0;
            stats.deadLettered(givenUp);
            LOG.log(Level.DEBUG, "Memory budget of {0} B exceeded ({1} B): {2} history messages evicted, "
                    + "{3} inbox messages given up, now {4} B", budget.limit(), before, evicted, givenUp, budget.used());
        } finally {
            budget.endReclaim();
        }
    }

    /** A topic's stream and the time of its oldest history message, for ordering eviction. */
    private record Oldest(Instant timestamp, TopicStream stream) {
    }

    private long evictOldestHistory() {
        // One pass to find each topic's oldest message, then always evict from the topic whose
        // oldest message is the oldest of all, up to the next topic's oldest: globally oldest first.
        PriorityQueue<Oldest> heads = new PriorityQueue<>(Comparator.comparing(Oldest::timestamp));
        for (TopicStream stream : streams.values()) {
            Instant oldest;
            synchronized (stream) {
                oldest = stream.oldestTimestamp();
            }
            if (oldest != null) {
                heads.add(new Oldest(oldest, stream));
            }
        }
        long evicted = 0;
        while (budget.aboveLowWater() && !heads.isEmpty()) {
            TopicStream stream = heads.poll().stream();
            Instant bound = heads.isEmpty() ? null : heads.peek().timestamp();
            Instant next;
            synchronized (stream) {
                evicted += stream.evictOldest(bound);
                next = stream.oldestTimestamp();
            }
            if (next != null) {
                heads.add(new Oldest(next, stream));
            }
        }
        return evicted;
    }

    /** The topic's live stream; made (in a new epoch) if the topic has none. */
    private TopicStream stream(String topic) {
        TopicStream stream = streams.get(topic); // no lock on the hot path when it exists
        if (stream != null) {
            return stream;
        }
        return streams.computeIfAbsent(topic, t -> new TopicStream(
                epoch + "-" + Long.toString(streamsMade.incrementAndGet(), 36), budget, clock.instant()));
    }
}
