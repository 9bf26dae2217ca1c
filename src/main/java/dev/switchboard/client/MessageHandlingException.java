package dev.switchboard.client;

/**
 * {@link SwitchboardListener#onMessage} threw for a message: what {@link SwitchboardListener#onError}
 * receives then, with the listener's own exception as its {@linkplain #getCause() cause} and the
 * message's id and destination in its text, so that a log line says which message failed.
 */
public final class MessageHandlingException extends Exception {

    private final String messageId;

    MessageHandlingException(IncomingMessage message, Throwable cause) {
        super("onMessage threw for message " + message.id() + " (" + destination(message) + "): " + cause, cause);
        this.messageId = message.id();
    }

    /** The id of the message that {@code onMessage} threw for. */
    public String messageId() {
        return messageId;
    }

    private static String destination(IncomingMessage message) {
        if (message.topic() != null) {
            return "topic " + message.topic() + " offset " + message.offset();
        }
        if (message.channel() != null) {
            return "channel " + message.channel();
        }
        return message.destination() != null ? message.destination() : "user " + message.user();
    }
}
