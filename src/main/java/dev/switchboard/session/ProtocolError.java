package dev.switchboard.session;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.stomp.StompFrame;

/**
 * A client frame the STOMP protocol refuses. {@link StompSession} turns it into an ERROR frame
 * (the message as the {@code message} header, the detail as the body) and a close with
 * {@link #closeCode()}. Thrown and caught on the inbound thread only; carries no stack trace,
 * since it is an answer to the client, not a fault of the server.
 */
final class ProtocolError extends Exception {

    private final String detail;
    private final CloseCode closeCode;

    /** A refusal that closes the connection with {@link CloseCode#POLICY_VIOLATION}. */
    ProtocolError(String message, String detail) {
        this(message, detail, CloseCode.POLICY_VIOLATION);
    }

    ProtocolError(String message, String detail, CloseCode closeCode) {
        super(message, null, false, false);
        this.detail = detail;
        this.closeCode = closeCode;
    }

    /** The body of the ERROR frame, or null. */
    String detail() {
        return detail;
    }

    CloseCode closeCode() {
        return closeCode;
    }

    /** The value of a header {@code frame} cannot do without; absent or empty is a "missing header" error. */
    static String requireHeader(StompFrame frame, String header) throws ProtocolError {
        String value = frame.header(header);
        if (value == null || value.isEmpty()) {
            throw new ProtocolError("missing header", frame.command() + " needs a '" + header + "' header");
        }
        return value;
    }
}
