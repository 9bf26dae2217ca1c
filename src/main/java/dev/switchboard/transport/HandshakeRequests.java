package dev.switchboard.transport;

import dev.switchboard.security.HandshakeRequest;
import dev.switchboard.security.ProxyTrust;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;

/** Builds the {@link HandshakeRequest} of a servlet request, as a trusted proxy may have forwarded it. */
final class HandshakeRequests {

    private HandshakeRequests() {
    }

    /** A WebSocket upgrade or a CORS request: browsers always name the page's origin in {@code Origin}. */
    static HandshakeRequest of(HttpServletRequest request, ProxyTrust proxies) {
        return of(request, proxies, request.getHeader("Origin"));
    }

    /**
     * A request of the SockJS transports that browsers make as plain page loads ({@code jsonp} is a
     * script, {@code htmlfile} a frame, {@code eventsource} an EventSource): such a GET carries no
     * {@code Origin}, so the origin policy would take it for a non-browser client. A browser says
     * that the request is cross-site in {@code Sec-Fetch-Site}; the page's origin is then that of
     * its {@code Referer}, or unknown ({@code null}, refused unless any origin is allowed) if the page
     * sends none.
     */
    static HandshakeRequest ofPageLoad(HttpServletRequest request, ProxyTrust proxies) {
        String origin = request.getHeader("Origin");
        String site = request.getHeader("Sec-Fetch-Site");
        if (origin == null && ("cross-site".equals(site) || "same-site".equals(site))) {
            origin = originOf(request.getHeader("Referer"));
        }
        return of(request, proxies, origin);
    }

    private static HandshakeRequest of(HttpServletRequest request, ProxyTrust proxies, String origin) {
        ProxyTrust.ClientView client = proxies.view(request.getRemoteAddr(), request.getScheme(),
                request.getHeader("Host"), request::getHeader);
        return new HandshakeRequest(client.address(), origin, client.scheme(), client.host(),
                request.getParameter("token"), request.getParameter("channelId"), request.getParameter("ticket"));
    }

    private static String originOf(String referer) {
        if (referer == null) {
            return "null";
        }
        try {
            URI uri = URI.create(referer);
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return "null";
            }
            return uri.getScheme() + "://" + uri.getRawAuthority();
        } catch (IllegalArgumentException e) {
            return "null";
        }
    }
}
