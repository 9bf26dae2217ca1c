package dev.switchboard.session;

import dev.switchboard.broker.Subscriber;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompVersion;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Acknowledgements of one STOMP session: the MESSAGE frames sent in the {@code client} and
 * {@code client-individual} modes wait in {@link PendingAcks} until ACK (which also acknowledges
 * inbox messages to the broker), NACK or the ack timeout, the last two redelivering them with a
 * {@code redelivered:true} header until {@code maxDeliveryAttempts}.
 *
 * <p>An ack id is {@code <subscription id>/<message id>}; the {@code ack} header of STOMP 1.2 is
 * the message id alone.
 *
 * <p>Threads: {@link #track} runs on delivery threads (and the inbound thread while a SUBSCRIBE
 * replays missed messages); {@link #acknowledge} and {@link #forgetSubscription} on the inbound
 * thread; redeliveries on the scheduler when an ack timer fires; {@link #forgetAll} on whichever
 * thread ends the session. {@link PendingAcks} guards the pending messages with its own lock;
 * everything else here is final.
 */
final class StompAcknowledgements {

    /** Logs under the session's name, where operators already look for STOMP session events. */
    private static final Logger LOG = System.getLogger(StompSession.class.getName());

    private final Subscriber session;
    private final StompProtocol protocol;
    private final OutboundQueue outbound;
    private final StompSubscriptionTable subscriptions;
    private final PendingAcks pendingAcks = new PendingAcks();

    StompAcknowledgements(Subscriber session, StompProtocol protocol, OutboundQueue outbound,
            StompSubscriptionTable subscriptions) {
        this.session = session;
        this.protocol = protocol;
        this.outbound = outbound;
        this.subscriptions = subscriptions;
    }

    /** Waits for the client to acknowledge the first delivery of {@code messageId}, encoded as {@code wire}. */
    void trackFirstDelivery(String subscriptionId, String messageId, Object wire) {
        track(new PendingAcks.Pending(ackIdOf(subscriptionId, messageId), subscriptionId, wire, 1));
    }

    /**
     * ACK ({@code negative} false) or NACK: settles the message the frame names (in {@code client}
     * mode with every earlier one of its subscription). An ACK also acknowledges it to the broker;
     * a NACK redelivers it.
     */
    void acknowledge(StompFrame frame, StompVersion version, boolean negative) throws ProtocolError {
        // The 1.2 "ack" header we send is the message id, so clients that ack by message-id work too.
        String ackId = switch (version) {
            case V1_2 -> ackIdOfMessage(ProtocolError.requireHeader(frame, "id"));
            case V1_1 -> ackIdOf(ProtocolError.requireHeader(frame, "subscription"),
                    ProtocolError.requireHeader(frame, "message-id"));
            case V1_0 -> ackIdOfMessage(ProtocolError.requireHeader(frame, "message-id"));
        };
        StompSubscription subscription = ackId == null ? null : subscriptions.get(subscriptionIdOf(ackId));
        boolean cumulative = subscription != null && subscription.ackMode() == StompSubscription.AckMode.CLIENT;
        List<PendingAcks.Pending> settled = ackId == null ? List.of() : pendingAcks.remove(ackId, cumulative);
        cancelTimeouts(settled);
        for (PendingAcks.Pending pending : settled) {
            if (negative) {
                redeliver(pending);
            } else {
                // Messages the backend pushed with "ack": true leave the user's inbox with this ACK.
                protocol.services.broker().acknowledge(session, messageIdOf(pending.ackId));
            }
        }
        // An ack of an unknown or already settled message is harmless (docs/protocol.md, Delivery guarantees).
    }

    /** Forgets the unacknowledged messages of a subscription (UNSUBSCRIBE). */
    void forgetSubscription(String subscriptionId) {
        cancelTimeouts(pendingAcks.removeSubscription(subscriptionId));
    }

    /** Forgets every unacknowledged message (the session ended). */
    void forgetAll() {
        cancelTimeouts(pendingAcks.removeAll());
    }

    private static String ackIdOf(String subscriptionId, String messageId) {
        return subscriptionId + "/" + messageId;
    }

    private static String messageIdOf(String ackId) {
        return ackId.substring(ackId.lastIndexOf('/') + 1);
    }

    private static String subscriptionIdOf(String ackId) {
        int slash = ackId.lastIndexOf('/');
        return slash < 0 ? ackId : ackId.substring(0, slash);
    }

    /** STOMP 1.0 and 1.2 acks name only the message: find the subscription it was delivered on. */
    private String ackIdOfMessage(String messageId) {
        for (String subscriptionId : subscriptions.ids()) {
            String candidate = ackIdOf(subscriptionId, messageId);
            if (pendingAcks.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private void redeliver(PendingAcks.Pending pending) {
        if (pending.attempts >= protocol.settings.maxDeliveryAttempts()) {
            protocol.services.broker().stats().dropped(1);
            LOG.log(Level.DEBUG, "Message {0} given up after {1} deliveries to session {2}", pending.ackId,
                    String.valueOf(pending.attempts), session.sessionId());
            return;
        }
        protocol.services.broker().stats().countRedelivery();
        Object wire = pending.attempts == 1 ? StompWire.withRedeliveredHeader(pending.wire) : pending.wire;
        track(new PendingAcks.Pending(pending.ackId, pending.subscriptionId, wire, pending.attempts + 1));
        StompWire.offer(outbound, wire);
    }

    /** Adds {@code pending} and starts its ack timer, which redelivers it if it is still pending then. */
    private void track(PendingAcks.Pending pending) {
        pendingAcks.add(pending);
        long timeoutMs = protocol.settings.ackTimeout().toMillis();
        pending.timeout = protocol.services.scheduler().schedule(() -> {
            PendingAcks.Pending expired = pendingAcks.expire(pending);
            if (expired != null) {
                redeliver(expired);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
    }

    private static void cancelTimeouts(List<PendingAcks.Pending> settled) {
        for (PendingAcks.Pending pending : settled) {
            if (pending.timeout != null) {
                pending.timeout.cancel(false);
            }
        }
    }
}
