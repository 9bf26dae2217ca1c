package dev.switchboard.it;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket peer (the Tyrus client) that records every text message as it came, for the SockJS
 * {@code websocket} transport (SockJS frames in text messages) and the raw {@code /websocket} URL.
 */
final class SockJsWebSocket implements AutoCloseable {

    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;

    private SockJsWebSocket() {
    }

    static SockJsWebSocket connect(URI uri) throws DeploymentException, IOException {
        SockJsWebSocket socket = new SockJsWebSocket();
        socket.session = SharedTyrusClient.INSTANCE.connectToServer(socket.new Recorder(),
                ClientEndpointConfig.Builder.create().build(), uri);
        return socket;
    }

    /** The next text message, waiting up to {@code wait}. */
    String next(Duration wait) throws InterruptedException {
        String message = messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no WebSocket message within " + wait
                    + (closed.isDone() ? " (closed: " + closed.getNow(null) + ")" : ""));
        }
        return message;
    }

    String next() throws InterruptedException {
        return next(Duration.ofSeconds(10));
    }

    /** The next message that is not a SockJS heart-beat {@code h}. */
    String nextNotHeartbeat() throws InterruptedException {
        for (;;) {
            String message = next();
            if (!message.equals("h")) {
                return message;
            }
        }
    }

    void send(String text) throws IOException {
        session.getBasicRemote().sendText(text);
    }

    /** How the connection closed, waiting up to 10 s. */
    CloseReason awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    boolean isOpen() {
        return session.isOpen() && !closed.isDone();
    }

    @Override
    public void close() throws IOException {
        if (session != null && session.isOpen()) {
            session.close();
        }
    }

    private final class Recorder extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.setMaxTextMessageBufferSize(4 * 1024 * 1024);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) messages::add);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.complete(reason);
        }

        @Override
        public void onError(Session session, Throwable failure) {
            // A reset or a protocol error ends the connection as surely as a close frame.
            closed.complete(new CloseReason(CloseReason.CloseCodes.CLOSED_ABNORMALLY, String.valueOf(failure)));
        }
    }
}
