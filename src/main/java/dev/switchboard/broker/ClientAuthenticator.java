package dev.switchboard.broker;

/**
 * Authenticates a client that presents its token inside the protocol (STOMP CONNECT) rather than
 * during the HTTP handshake. Implemented by the security layer. Thread safe.
 */
public interface ClientAuthenticator {

    /** The outcome: who the client is, or why it is refused (client-safe text, never the token). */
    sealed interface Result {
        record Authenticated(ClientIdentity identity) implements Result {
        }

        record Refused(String reason) implements Result {
        }
    }

    /**
     * Verifies {@code token} and, when {@code channelId} is not null, that the token permits that
     * channel (the channel rule itself is the broker's).
     */
    Result authenticate(String token, String channelId);
}
