package dev.switchboard.broker;

/**
 * Handles messages that clients send to an application destination ({@code send} with
 * {@code to: <destination>} on the native endpoint, {@code /app/<destination>} in STOMP). Handlers
 * are CDI beans; the broker finds them by {@link #destination()}.
 *
 * <p>Called on the sending session's inbound thread: a handler must not block for long.
 */
public interface ApplicationHandler {

    /** The destination name this handler serves, e.g. {@code echo}. */
    String destination();

    /** Handles one message; {@code dataJson} is the payload as JSON text. */
    void handle(InboundMessage message);

    /** A message a client sent to an application destination. */
    record InboundMessage(String user, String sessionId, String dataJson) {
    }
}
