package dev.switchboard.client;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.ServerFrame;
import jakarta.json.bind.Jsonb;

/**
 * Hands {@code message} frames to the listener: topic messages only for subscribed topics and
 * never twice (replays after a resume are dropped), and acknowledges {@code ack: true} messages
 * once the listener returned normally (docs/protocol.md, Delivery guarantees). A redelivered message that was
 * handled before (its ack was lost with a connection) is acknowledged again without calling the
 * listener.
 *
 * <p>Event thread only.
 */
final class MessageDelivery {

    /** Ack ids remembered so that a redelivery of an already handled message is acked, not handled twice. */
    private static final int REMEMBERED_ACKS = 4096;

    private final Subscriptions subscriptions;
    private final CurrentConnection current;
    private final ListenerDispatcher listener;
    private final Jsonb jsonb;
    private final HandledAcks handledAcks = new HandledAcks(REMEMBERED_ACKS);

    MessageDelivery(Subscriptions subscriptions, CurrentConnection current, ListenerDispatcher listener, Jsonb jsonb) {
        this.subscriptions = subscriptions;
        this.current = current;
        this.listener = listener;
        this.jsonb = jsonb;
    }

    /** Delivers {@code frame}, which arrived on {@code connection} (acks go back on it, if still current). */
    void deliver(Connection connection, ServerFrame.Message frame) {
        if (frame.topic() != null && frame.offset() != null && frame.epoch() != null) {
            if (!subscriptions.acceptMessage(frame.topic(), frame.offset(), frame.epoch())) {
                return; // unsubscribed, or a replay of what the listener has seen
            }
        }
        boolean ack = Boolean.TRUE.equals(frame.ack()) && frame.id() != null;
        if (ack && handledAcks.contains(frame.id())) {
            current.send(connection, new ClientFrame.Ack(frame.id())); // handled before; the ack was lost
            return;
        }
        if (!listener.message(new IncomingMessage(frame, jsonb))) {
            return; // not acknowledged: the server redelivers it later (docs/protocol.md, Delivery guarantees)
        }
        if (ack) {
            handledAcks.add(frame.id());
            current.send(connection, new ClientFrame.Ack(frame.id()));
        }
    }
}
