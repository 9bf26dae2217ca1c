package dev.switchboard.security;

/** The outcome of checking a WebSocket handshake: permit with a principal, or refuse with an HTTP status. */
public sealed interface HandshakeDecision {

    record Permit(AuthorizedClient client) implements HandshakeDecision {
    }

    /**
     * @param status  HTTP status (docs/protocol.md, Handshake)
     * @param error   machine-readable code for the JSON body's {@code error}
     * @param message human-readable reason, safe to show (never contains the token)
     */
    record Refuse(int status, String error, String message) implements HandshakeDecision {
    }
}
