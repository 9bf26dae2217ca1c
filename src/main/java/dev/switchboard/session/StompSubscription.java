package dev.switchboard.session;

import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompVersion;

/**
 * One SUBSCRIBE of a STOMP session. Exactly one of {@code topic} (for {@code /topic/...} and
 * {@code /queue/...}) and {@code userDestination} (for {@code /user/queue/<name>}) is set, or
 * neither for the session's token notices ({@code /sys/token}).
 * {@code subscriptionHeader} is its MESSAGE frames' {@code subscription} header line, encoded once
 * in the session's version (see {@link StompMessageTemplates}).
 */
record StompSubscription(String id, String destination, String topic, String userDestination, AckMode ackMode,
        String subscriptionHeader) {

    StompSubscription(String id, String destination, String topic, String userDestination, AckMode ackMode,
            StompVersion version) {
        this(id, destination, topic, userDestination, ackMode,
                StompEncoder.headerLine(StompCommand.MESSAGE, "subscription", id, version));
    }

    /** STOMP ack modes (STOMP 1.2, SUBSCRIBE "ack" header). */
    enum AckMode {
        AUTO, CLIENT, CLIENT_INDIVIDUAL;

        static AckMode fromHeader(String header) {
            if (header == null || header.equals("auto")) {
                return AUTO;
            }
            if (header.equals("client")) {
                return CLIENT;
            }
            if (header.equals("client-individual")) {
                return CLIENT_INDIVIDUAL;
            }
            return null;
        }
    }
}
