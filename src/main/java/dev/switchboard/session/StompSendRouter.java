package dev.switchboard.session;

import dev.switchboard.broker.ApplicationHandler;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.TopicDestinations;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.stomp.StompFrame;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Where a SEND of one STOMP session goes: {@code /app/<name>} to an application handler,
 * {@code /user/<self>/queue/<name>} to the sender's own user queue, {@code /topic/<name>} and
 * {@code /queue/<name>} to the broker (binary bodies as binary publications).
 *
 * <p>Threads: used only on the session's inbound thread (directly or on COMMIT); holds nothing but
 * final fields.
 */
final class StompSendRouter {

    /** Logs under the session's name, where operators already look for STOMP session events. */
    private static final Logger LOG = System.getLogger(StompSession.class.getName());
    private static final String APP_PREFIX = "/app/";

    private final String sessionId;
    private final StompProtocol protocol;

    StompSendRouter(String sessionId, StompProtocol protocol) {
        this.sessionId = sessionId;
        this.protocol = protocol;
    }

    /** Routes the SEND {@code frame} of the connected client {@code identity}. */
    void send(StompFrame frame, ClientIdentity identity) throws ProtocolError {
        String destination = ProtocolError.requireHeader(frame, "destination");
        StompPayloads.InboundBody body;
        try {
            body = protocol.payloads.inbound(frame.body(), frame.header("content-type"));
        } catch (IllegalArgumentException e) {
            throw new ProtocolError("bad body", e.getMessage());
        }
        String dataJson = protocol.payloads.toDataJson(body);
        if (destination.startsWith(APP_PREFIX)) {
            sendToHandler(destination.substring(APP_PREFIX.length()), dataJson, identity);
        } else if (destination.startsWith(StompSubscriptions.USER_PREFIX)) {
            sendToOwnUserQueue(destination, dataJson, identity);
        } else {
            publish(destination, body, dataJson, identity);
        }
    }

    private void publish(String destination, StompPayloads.InboundBody body, String dataJson, ClientIdentity identity)
            throws ProtocolError {
        String topic = TopicDestinations.topicOf(destination);
        if (topic == null) {
            throw new ProtocolError("unknown destination",
                    "send to /topic/<name>, /queue/<name> or /app/<name>, not " + destination);
        }
        if (!protocol.services.access().mayPublish(identity, topic)) {
            throw new ProtocolError("forbidden", "not allowed to publish to " + destination
                    + " (publisher role or a rule)");
        }
        if (body instanceof StompPayloads.InboundBody.Binary binary) {
            protocol.services.broker().publishBinary(topic, binary.bytes(), binary.contentType());
        } else {
            protocol.services.broker().publish(topic, dataJson);
        }
    }

    private void sendToHandler(String name, String dataJson, ClientIdentity identity) throws ProtocolError {
        if (!protocol.services.access().maySend(identity, name)) {
            throw new ProtocolError("forbidden", "not allowed to send to /app/" + name);
        }
        Optional<ApplicationHandler> handler = protocol.services.handlers().forDestination(name);
        if (handler.isEmpty()) {
            throw new ProtocolError("no handler", "no application handler for /app/" + name);
        }
        try {
            handler.get().handle(new ApplicationHandler.InboundMessage(identity.user(), sessionId, dataJson));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Handler for /app/" + name + " failed for session " + sessionId, e);
            throw new ProtocolError("handler failed", "the handler for /app/" + name + " failed", CloseCode.INTERNAL_ERROR);
        }
    }

    /** {@code /user/<self>/queue/<name>}: a push to one's own sessions; other users are not reachable from a client. */
    private void sendToOwnUserQueue(String destination, String dataJson, ClientIdentity identity) throws ProtocolError {
        String ownPrefix = StompSubscriptions.USER_PREFIX + identity.user() + "/queue/";
        String name = destination.startsWith(ownPrefix) ? destination.substring(ownPrefix.length()) : null;
        if (!TopicNames.isValid(name)) {
            throw new ProtocolError("forbidden", "a client may only send to its own /user/" + identity.user()
                    + "/queue/<name>");
        }
        if (!protocol.services.access().mayPublishToUserQueue(identity, name)) {
            throw new ProtocolError("forbidden", "not allowed to send to " + destination);
        }
        protocol.services.broker().pushToUser(identity.user(), name, dataJson, false);
    }
}
