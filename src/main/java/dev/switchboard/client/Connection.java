package dev.switchboard.client;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;

/**
 * One WebSocket connection attempt of a {@link SwitchboardClient}: the JSR 356 endpoint that hands
 * every text frame, the close and errors to the client's event thread, tagged with itself so
 * that the client can ignore a connection it has already given up.
 *
 * <p>Frames are sent only from the client's event thread (one sender per session, docs/architecture.md).
 */
final class Connection extends Endpoint {

    /** What the connection reports; implementations hop to the client's event thread. */
    interface Events {
        void frame(Connection connection, String text);

        void closed(Connection connection, int code, String reason);

        void failed(Connection connection, Throwable failure);
    }

    /** Largest text frame accepted from the server (the HTTP API takes bodies up to 1 MiB). */
    static final int MAX_FRAME_CHARS = 4 * 1024 * 1024;

    private final Events events;
    /** The token the session holds now: the one it opened with, until a refresh replaced it. Event thread only. */
    private String token;
    /** Set by the container thread in onOpen, read by the event thread afterwards. */
    private volatile Session session;

    Connection(Events events, String token) {
        this.events = events;
        this.token = token;
    }

    /** The token the session holds now: the one it was opened with, or the last one refreshed to. */
    String token() {
        return token;
    }

    /** The server accepted {@code refreshed} for this session (or is being asked to): it is the one in use. */
    void tokenRefreshed(String refreshed) {
        this.token = refreshed;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        this.session = session;
        session.setMaxTextMessageBufferSize(MAX_FRAME_CHARS);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> events.frame(this, text));
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        events.closed(this, reason.getCloseCode().getCode(), reason.getReasonPhrase());
    }

    @Override
    public void onError(Session session, Throwable failure) {
        events.failed(this, failure);
    }

    /** Sends one text frame, blocking until it is written. */
    void send(String text) throws IOException {
        Session open = session;
        if (open == null || !open.isOpen()) {
            throw new IOException("connection is not open");
        }
        open.getBasicRemote().sendText(text);
    }

    /** Closes the session with {@code code} if it is open; failures are ignored (it is going anyway). */
    void close(CloseReason.CloseCode code, String reason) {
        Session open = session;
        if (open != null && open.isOpen()) {
            try {
                open.close(new CloseReason(code, reason));
            } catch (IOException | RuntimeException e) {
                // the connection is already broken: nothing left to close cleanly
            }
        }
    }
}
