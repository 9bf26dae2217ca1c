package dev.switchboard.security;

/**
 * What the handshake check needs to know of an upgrade request; built by the transport from the
 * servlet request. Null means absent. {@code ticket} ({@code ?ticket=}) stands in for {@code token}
 * (docs/security.md, Connection tickets).
 */
public record HandshakeRequest(String clientAddress, String origin, String scheme, String host, String token,
        String channelId, String ticket) {

    /** A request without a ticket. */
    public HandshakeRequest(String clientAddress, String origin, String scheme, String host, String token,
            String channelId) {
        this(clientAddress, origin, scheme, host, token, channelId, null);
    }
}
