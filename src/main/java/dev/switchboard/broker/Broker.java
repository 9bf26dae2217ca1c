package dev.switchboard.broker;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes messages to sessions: topics, users, channels and everyone. Knows no sockets: every
 * recipient gets the same {@link Delivery} through {@link Subscriber#deliver}, which only enqueues.
 *
 * <p>Messages pushed with an ack required wait in the {@link Inbox} of their user or channel until
 * a session acknowledges them, and are sent again by {@link #redeliverDue()} with backoff.
 *
 * <p>Thread safety: all methods may be called from any thread. Per topic, publish and subscribe
 * are serialised (see {@link TopicStream}); the inbox locks per recipient.
 */
public final class Broker {

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
    private final ConcurrentHashMap<String, TopicStream> streams = new ConcurrentHashMap<>();

    public Broker(SubscriptionRegistry subscriptions, SessionRegistry sessions, ChannelRegistry channels,
            MessageIds ids, BrokerStats stats, Clock clock, String nodeId, String epoch, HistoryPolicy history,
            Inbox inbox, RedeliveryPolicy redelivery) {
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
            subscriptions.unsubscribe(topic, session);
        }
        if (session.channelId() != null) {
            channels.release(session.channelId(), session);
        }
        sessions.remove(session);
    }

    /**
     * Subscribes a session. With {@code since}, the messages published after that position are
     * first handed to {@code replay}, oldest first, if this epoch's history still holds all of
     * them ({@code recovered}); otherwise nothing is replayed and {@code recovered} is false.
     * Then {@code beforeLive} is called with the outcome. Both run while the topic is locked, so
     * what they enqueue precedes every live message published after the subscription: no gap and
     * no duplicate at the seam.
     */
    public SubscribeOutcome subscribe(String topic, Subscriber session, StreamPosition since,
            Consumer<Delivery> replay, Consumer<SubscribeOutcome> beforeLive) {
        TopicStream stream = stream(topic);
        synchronized (stream) {
            subscriptions.subscribe(topic, session);
            long last = stream.lastOffset();
            boolean recovered = false;
            if (since != null && epoch.equals(since.epoch())) {
                List<Delivery> missed = stream.after(since.offset(), history, clock.instant());
                if (missed != null) {
                    missed.forEach(replay);
                    stats.delivered(missed.size());
                    recovered = true;
                }
            }
            SubscribeOutcome outcome = new SubscribeOutcome(topic, last, epoch, recovered);
            beforeLive.accept(outcome);
            return outcome;
        }
    }

    public boolean unsubscribe(String topic, Subscriber session) {
        return subscriptions.unsubscribe(topic, session);
    }

    /** Publishes to a topic's subscribers; the message gets the topic's next offset. */
    public PublishReceipt publish(String topic, String dataJson) {
        return publish(topic, (id, offset, timestamp) -> Delivery.toTopic(id, topic, offset, epoch, dataJson, timestamp));
    }

    /**
     * Publishes a binary payload to a topic: protocols that carry bytes get them with their
     * content type, JSON protocols get them in base64 (see {@link Delivery}).
     */
    public PublishReceipt publishBinary(String topic, byte[] body, String contentType) {
        return publish(topic, (id, offset, timestamp) -> Delivery.toTopicBinary(id, topic, offset, epoch, body,
                contentType, timestamp));
    }

    /** Makes a topic delivery once its id, offset and time are assigned. */
    private interface TopicDeliveryFactory {
        Delivery create(String id, long offset, java.time.Instant timestamp);
    }

    private PublishReceipt publish(String topic, TopicDeliveryFactory factory) {
        TopicStream stream = stream(topic);
        stats.accepted();
        synchronized (stream) {
            Delivery delivery = factory.create(ids.next(), stream.nextOffset(), clock.instant());
            stream.remember(delivery, history, delivery.timestamp());
            int recipients = deliverToAll(subscriptions.subscribers(topic), delivery);
            return new PublishReceipt(delivery.id(), delivery.offset(), epoch, recipients);
        }
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
                        + " deliveries");
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

    private TopicStream stream(String topic) {
        return streams.computeIfAbsent(topic, t -> new TopicStream());
    }
}
