package dev.switchboard.transport;

import dev.switchboard.security.HandshakeRequest;
import dev.switchboard.security.ProxyTrust;
import jakarta.servlet.http.HttpServletRequest;

/** Builds the {@link HandshakeRequest} of a servlet request, as a trusted proxy may have forwarded it. */
final class HandshakeRequests {

    private HandshakeRequests() {
    }

    static HandshakeRequest of(HttpServletRequest request, ProxyTrust proxies) {
        ProxyTrust.ClientView client = proxies.view(request.getRemoteAddr(), request.getScheme(),
                request.getHeader("Host"), request::getHeader);
        return new HandshakeRequest(client.address(), request.getHeader("Origin"), client.scheme(), client.host(),
                request.getParameter("token"), request.getParameter("channelId"));
    }
}
