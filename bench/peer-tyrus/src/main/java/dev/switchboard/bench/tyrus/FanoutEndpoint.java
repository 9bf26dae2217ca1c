package dev.switchboard.bench.tyrus;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bare {@code @ServerEndpoint} speaking just enough of the native protocol for the fan-out
 * scenario: {@code welcome} on open, {@code subscribe} answered with {@code subscribed}, and a
 * {@code publish} frame sent on, unchanged, to every subscriber with a {@code sendText} loop on
 * the publisher's thread. That loop is the portable JSR 356 path the issue calls the floor.
 *
 * <p>The subscriber set is static because the container creates one endpoint instance per
 * session; in a product it would live in a registry, here it is the whole application.
 */
@ServerEndpoint("/ws/channel")
public final class FanoutEndpoint {

    private static final Set<Session> SUBSCRIBERS = ConcurrentHashMap.newKeySet();
    private static final TokenVerifier TOKENS = new TokenVerifier();

    @OnOpen
    public void onOpen(Session session) throws IOException {
        // Checked on open rather than in a Configurator: JSR 356 gives a configurator no portable
        // way to refuse with an HTTP status, and its user properties are not per session everywhere.
        List<String> token = session.getRequestParameterMap().get("token");
        if (TOKENS.subject(token == null || token.isEmpty() ? null : token.get(0)) == null) {
            session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "invalid token"));
            return;
        }
        session.getBasicRemote().sendText("{\"type\":\"welcome\"}");
    }

    @OnMessage
    public void onMessage(Session session, String text) throws IOException {
        if (text.contains("\"publish\"")) {
            for (Session subscriber : SUBSCRIBERS) {
                try {
                    subscriber.getBasicRemote().sendText(text);
                } catch (IOException | IllegalStateException e) {
                    SUBSCRIBERS.remove(subscriber); // closed meanwhile: the others still get it
                }
            }
        } else if (text.contains("\"subscribe\"")) {
            SUBSCRIBERS.add(session);
            session.getBasicRemote().sendText("{\"type\":\"subscribed\"}");
        }
    }

    @OnClose
    public void onClose(Session session) {
        SUBSCRIBERS.remove(session);
    }

    @OnError
    public void onError(Session session, Throwable error) {
        SUBSCRIBERS.remove(session);
    }
}
