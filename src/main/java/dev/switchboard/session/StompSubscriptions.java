package dev.switchboard.session;

import dev.switchboard.broker.LimitRefusals;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.StreamPosition;
import dev.switchboard.broker.SubscribeOutcome;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.broker.TopicDestinations;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.broker.UserDestinations;
import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompHeaders;
import dev.switchboard.stomp.StompVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * SUBSCRIBE and UNSUBSCRIBE of one STOMP session, and the delivery of broker messages to its
 * subscriptions as MESSAGE frames. Destinations: {@code /topic/<name>} and {@code /queue/<name>}
 * subscribe to a broker topic (with resume from {@code since-offset}/{@code since-epoch});
 * {@code /user/queue/<name>} receives the user's pushes addressed to {@code <name>};
 * {@link #TOKEN_NOTICES} receives the session's own token notices ({@code expiring}).
 *
 * <p>Threads: {@link #subscribe} and {@link #unsubscribe} run on the inbound thread, the only
 * writer of the {@link StompSubscriptionTable}; {@link #deliver} runs on broker delivery threads
 * and reads the table's concurrent snapshots. The fields here are final.
 */
final class StompSubscriptions {

    static final String USER_PREFIX = "/user/";
    /**
     * The session's own destination for notices about its token: a MESSAGE with an {@code exp}
     * header (seconds since the epoch) and a JSON body {@code {"type":"expiring","exp":...}} goes to
     * each subscription of it before the token expires (docs/protocol.md, "Token refresh").
     */
    static final String TOKEN_NOTICES = "/sys/token";
    private static final String USER_QUEUE_PREFIX = UserDestinations.USER_QUEUE_PREFIX;
    /** The user destination of pushes without a {@code destination}, of channel pushes and of broadcasts. */
    static final String DEFAULT_USER_DESTINATION = "messages";
    static final String CHANNEL_USER_DESTINATION = "channel";
    static final String BROADCAST_USER_DESTINATION = "broadcast";

    private final Subscriber session;
    private final StompProtocol protocol;
    private final OutboundQueue outbound;
    private final StompSubscriptionTable table;
    private final StompAcknowledgements acks;

    StompSubscriptions(Subscriber session, StompProtocol protocol, OutboundQueue outbound,
            StompSubscriptionTable table, StompAcknowledgements acks) {
        this.session = session;
        this.protocol = protocol;
        this.outbound = outbound;
        this.table = table;
        this.acks = acks;
    }

    /**
     * SUBSCRIBE. Returns extra headers for the frame's RECEIPT (how a resume went), or null.
     * Missed messages of a resume are sent before this returns.
     */
    StompHeaders subscribe(StompFrame frame, StompVersion version, ClientIdentity identity) throws ProtocolError {
        String destination = ProtocolError.requireHeader(frame, "destination");
        // STOMP 1.0 makes the id optional; the destination then identifies the subscription.
        String id = version == StompVersion.V1_0
                ? firstNonNull(frame.header("id"), destination)
                : ProtocolError.requireHeader(frame, "id");
        StompSubscription.AckMode ackMode = StompSubscription.AckMode.fromHeader(frame.header("ack"));
        if (ackMode == null) {
            throw new ProtocolError("bad ack mode", "ack must be auto, client or client-individual");
        }
        if (table.contains(id)) {
            throw new ProtocolError("duplicate subscription id", "subscription id '" + id + "' is already in use");
        }
        SessionLimits limits = protocol.services.limits();
        if (!limits.maySubscribeBeyond(table.size())) {
            // STOMP has no error that keeps the session (docs/security.md "Limits").
            protocol.services.broker().stats().limitRefusals().refused(LimitRefusals.Limit.SUBSCRIPTIONS);
            throw new ProtocolError("too many subscriptions",
                    "at most " + limits.maxSubscriptions() + " subscriptions per session");
        }
        if (destination.equals(TOKEN_NOTICES)) {
            StompSubscription notices = new StompSubscription(id, destination, null, null, ackMode, version);
            table.add(notices);
            // A token already in its notice period had its notice sent before anyone listened (at CONNECT).
            Instant exp = identity.tokenExpiresAt();
            if (exp != null && !protocol.services.clock().instant().isBefore(exp.minus(protocol.tokens.expiringNotice()))) {
                sendTokenExpiring(notices, exp, version);
            }
            return null;
        }
        if (destination.startsWith(USER_PREFIX)) {
            String name = ownUserQueue(destination);
            if (!protocol.services.access().maySubscribeToUserQueue(identity, name)) {
                throw new ProtocolError("forbidden", "not allowed to subscribe to " + destination);
            }
            table.add(new StompSubscription(id, destination, null, name, ackMode, version));
            // Messages pushed with an ack while the user was away go to the user queues that now exist.
            protocol.services.broker().deliverWaiting(session);
            return null;
        }
        String topic = TopicDestinations.topicOf(destination);
        if (topic == null) {
            throw new ProtocolError("unknown destination",
                    "subscribe to /topic/<name>, /queue/<name> or /user/queue/<name>, not " + destination);
        }
        if (!protocol.services.access().maySubscribe(identity, topic)) {
            throw new ProtocolError("forbidden", "not allowed to subscribe to " + destination);
        }
        StompSubscription subscription = new StompSubscription(id, destination, topic, null, ackMode, version);
        table.add(subscription);
        StreamPosition since = sincePosition(frame);
        boolean first = table.addToTopic(subscription);
        if (!first && since == null) {
            return null; // the broker already delivers this topic to the session
        }
        SubscribeOutcome outcome = protocol.services.broker().subscribe(topic, session, since,
                missed -> sendMessage(subscription, missed, version), ignored -> { });
        if (since == null) {
            return null;
        }
        // STOMP has no "subscribed" frame: a RECEIPT for this SUBSCRIBE tells how the resume went.
        return StompHeaders.builder()
                .add("recovered", Boolean.toString(outcome.recovered()))
                .add("offset", Long.toString(outcome.offset()))
                .add("epoch", outcome.epoch())
                .build();
    }

    /** The {@code since-offset} and {@code since-epoch} headers of a SUBSCRIBE (both or neither). */
    private static StreamPosition sincePosition(StompFrame frame) throws ProtocolError {
        String offset = frame.header("since-offset");
        String epoch = frame.header("since-epoch");
        if (offset == null && epoch == null) {
            return null;
        }
        try {
            if (epoch == null) {
                throw new NumberFormatException("no epoch");
            }
            return new StreamPosition(Long.parseLong(offset), epoch);
        } catch (NumberFormatException e) {
            throw new ProtocolError("bad since headers", "since-offset must be a number and come with since-epoch");
        }
    }

    /** The name in {@code /user/queue/<name>}; any other user destination is refused. */
    private static String ownUserQueue(String destination) throws ProtocolError {
        String name = destination.startsWith(USER_QUEUE_PREFIX) ? destination.substring(USER_QUEUE_PREFIX.length()) : null;
        if (!TopicNames.isValid(name)) {
            throw new ProtocolError("forbidden", "user destinations are /user/queue/<name>, for oneself only");
        }
        return name;
    }

    /** The destination of the first topic or user-queue subscription that {@code identity} may not hold, or null. */
    String firstDestinationNotAllowed(ClientIdentity identity) {
        for (StompSubscription subscription : table.all()) {
            boolean allowed = subscription.topic() != null
                    ? protocol.services.access().maySubscribe(identity, subscription.topic())
                    : subscription.userDestination() == null
                            || protocol.services.access().maySubscribeToUserQueue(identity, subscription.userDestination());
            if (!allowed) {
                return subscription.destination();
            }
        }
        return null;
    }

    /** UNSUBSCRIBE: drops the subscription and its unacknowledged messages; an unknown id is harmless. */
    void unsubscribe(StompFrame frame, StompVersion version) throws ProtocolError {
        String id = version == StompVersion.V1_0
                ? firstNonNull(frame.header("id"), frame.header("destination"))
                : ProtocolError.requireHeader(frame, "id");
        StompSubscription subscription = id == null ? null : table.remove(id);
        if (subscription == null) {
            return; // unsubscribing twice is harmless
        }
        acks.forgetSubscription(id);
        if (subscription.topic() != null && table.removeFromTopic(subscription)) {
            protocol.services.broker().unsubscribe(subscription.topic(), session);
        }
    }

    /** Sends {@code delivery} to every subscription it is addressed to, encoded in {@code version}. */
    void deliver(Delivery delivery, StompVersion version) {
        switch (delivery.target()) {
            case TOPIC -> {
                for (StompSubscription subscription : table.onTopic(delivery.address())) {
                    sendMessage(subscription, delivery, version);
                }
            }
            case USER -> deliverToUserQueue(delivery,
                    delivery.destination() == null ? DEFAULT_USER_DESTINATION : delivery.destination(), version);
            case CHANNEL -> deliverToUserQueue(delivery, CHANNEL_USER_DESTINATION, version);
            case BROADCAST -> deliverToUserQueue(delivery, BROADCAST_USER_DESTINATION, version);
        }
    }

    /**
     * Tells every {@link #TOKEN_NOTICES} subscription that the token expires at {@code exp}. Not a
     * broker message: no offset, nothing to acknowledge (an ACK of it is harmless, as for any
     * unknown id), whatever the subscription's ack mode. Its {@code message-id} names the token's
     * {@code exp}: a subscription made just as the notice fires may get it twice, recognisably.
     */
    void sendTokenExpiring(Instant exp, StompVersion version) {
        for (StompSubscription subscription : table.all()) {
            if (TOKEN_NOTICES.equals(subscription.destination())) {
                sendTokenExpiring(subscription, exp, version);
            }
        }
    }

    private void sendTokenExpiring(StompSubscription subscription, Instant exp, StompVersion version) {
        String seconds = Long.toString(exp.getEpochSecond());
        byte[] body = ("{\"type\":\"expiring\",\"exp\":" + seconds + "}").getBytes(StandardCharsets.UTF_8);
        StompHeaders headers = StompHeaders.builder()
                .add("destination", TOKEN_NOTICES)
                .add("message-id", "token-expiring-" + seconds)
                .add("subscription", subscription.id())
                .add("content-type", StompPayloads.JSON)
                .add("event", "expiring")
                .add("exp", seconds)
                .build();
        outbound.offer(StompEncoder.encodeText(new StompFrame(StompCommand.MESSAGE, headers, body), version));
    }

    private void deliverToUserQueue(Delivery delivery, String name, StompVersion version) {
        for (StompSubscription subscription : table.all()) {
            if (name.equals(subscription.userDestination())) {
                sendMessage(subscription, delivery, version);
            }
        }
    }

    private void sendMessage(StompSubscription subscription, Delivery delivery, StompVersion version) {
        StompPayloads.StompBody body = protocol.payloads.bodyOf(delivery);
        boolean clientAck = subscription.ackMode() != StompSubscription.AckMode.AUTO;
        if (!clientAck && !body.binary()) {
            // The usual case, and the hot one: the frame was encoded once for every such subscriber.
            outbound.offer(protocol.messageTemplates.frame(delivery, version, subscription));
            if (delivery.ackRequired()) {
                protocol.services.broker().acknowledge(session, delivery.id()); // ack:auto means delivered is acknowledged
            }
            return;
        }
        StompHeaders.Builder headers = StompHeaders.builder()
                .add("destination", subscription.destination())
                .add("message-id", delivery.id())
                .add("subscription", subscription.id())
                .add("content-type", body.contentType());
        if (delivery.target() == Delivery.Target.TOPIC) {
            headers.add("offset", Long.toString(delivery.offset())).add("epoch", delivery.epoch());
        }
        if (clientAck && version == StompVersion.V1_2) {
            headers.add("ack", delivery.id());
        }
        StompFrame message = new StompFrame(StompCommand.MESSAGE, headers.build(), body.bytes());
        Object wire = body.binary() ? StompEncoder.encode(message, version) : StompEncoder.encodeText(message, version);
        if (clientAck) {
            acks.trackFirstDelivery(subscription.id(), delivery.id(), wire);
        }
        StompWire.offer(outbound, wire);
        if (!clientAck && delivery.ackRequired()) {
            protocol.services.broker().acknowledge(session, delivery.id()); // ack:auto means delivered is acknowledged
        }
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }
}
