package dev.switchboard.session;

/**
 * One SUBSCRIBE of a STOMP session. Exactly one of {@code topic} (for {@code /topic/...} and
 * {@code /queue/...}) and {@code userDestination} (for {@code /user/queue/<name>}) is set.
 */
record StompSubscription(String id, String destination, String topic, String userDestination, AckMode ackMode) {

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
