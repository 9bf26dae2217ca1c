package dev.switchboard.security;

/**
 * What the handshake check needs to know of an upgrade request; built by the transport from the
 * servlet request. Null means absent.
 */
public record HandshakeRequest(String clientAddress, String origin, String scheme, String host, String token,
        String channelId) {
}
