package dev.switchboard.transport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URL layout of the SockJS endpoints (SockJS 0.3.3, "Session URLs"):
 * {@code /sockjs/<endpoint>/<server>/<session>/<transport>}, where server and session are non-empty
 * and contain no dot.
 */
final class SockJsPaths {

    /** A session request below an endpoint's prefix: {@code /<server>/<session>/<transport>}. */
    record SessionPath(String server, String session, String transport) {
    }

    private static final Pattern SESSION = Pattern.compile("/([^/.]+)/([^/.]+)/([a-z_]+)");
    private static final Pattern WEBSOCKET_TRANSPORT =
            Pattern.compile("/sockjs/(stomp|channel)(/[^/.]+/[^/.]+)?/websocket");

    private SockJsPaths() {
    }

    /**
     * Whether {@code path} (below the context root) is the {@code websocket} transport of a SockJS
     * endpoint, or its raw WebSocket URL {@code /sockjs/<endpoint>/websocket}.
     */
    static boolean isWebSocketTransport(String path) {
        return WEBSOCKET_TRANSPORT.matcher(path).matches();
    }

    /** {@code rest} (the path below an endpoint's prefix) as a session request, or null if it is not one. */
    static SessionPath session(String rest) {
        Matcher matcher = SESSION.matcher(rest);
        if (!matcher.matches() || matcher.group(2).length() > dev.switchboard.sockjs.SockJsSessions.MAX_ID_LENGTH) {
            return null;
        }
        return new SessionPath(matcher.group(1), matcher.group(2), matcher.group(3));
    }
}
