package dev.switchboard.it;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;

/**
 * A WebSocket peer on {@code /ws/stomp} that writes STOMP frames by hand, for what a conforming
 * STOMP client never does: malformed frames, frames before CONNECT, silence after promising
 * heart-beats. Records every message (binary ones as ISO-8859-1 text) and how the connection closed.
 */
final class RawStompClient implements AutoCloseable {

    private static final ClientManager TYRUS = SharedTyrusClient.INSTANCE;

    private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final Session session;

    private RawStompClient(ServerProcess server, List<String> subprotocols) throws Exception {
        this(server, subprotocols, "/ws/stomp");
    }

    private RawStompClient(ServerProcess server, List<String> subprotocols, String pathAndQuery) throws Exception {
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .preferredSubprotocols(subprotocols).build();
        session = TYRUS.connectToServer(new Endpoint() {
            @Override
            public void onOpen(Session session, EndpointConfig endpointConfig) {
                session.addMessageHandler(String.class, (MessageHandler.Whole<String>) messages::add);
                // Binary messages are recorded byte for byte as ISO-8859-1 text.
                session.addMessageHandler(byte[].class, (MessageHandler.Whole<byte[]>) bytes ->
                        messages.add(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)));
            }

            @Override
            public void onClose(Session session, CloseReason reason) {
                closed.complete(reason);
            }
        }, config, server.wsUri(pathAndQuery));
    }

    static RawStompClient connect(ServerProcess server) throws Exception {
        return new RawStompClient(server, List.of("v12.stomp"));
    }

    /** To {@code pathAndQuery} instead of {@code /ws/stomp}, e.g. {@code /ws/stomp?ticket=...}. */
    static RawStompClient connectTo(ServerProcess server, String pathAndQuery) throws Exception {
        return new RawStompClient(server, List.of("v12.stomp"), pathAndQuery);
    }

    /** Offers exactly {@code subprotocols} in the handshake (none at all if empty). */
    static RawStompClient connect(ServerProcess server, List<String> subprotocols) throws Exception {
        return new RawStompClient(server, subprotocols);
    }

    /** The subprotocol the server chose, empty if none. */
    String subprotocol() {
        return session.getNegotiatedSubprotocol();
    }

    /** Sends the text as one WebSocket message; write frames with {@code \0} terminators. */
    void send(String text) throws Exception {
        session.getBasicRemote().sendText(text);
    }

    /** Sends the concatenated parts as one binary WebSocket message. */
    void sendBinary(byte[]... parts) throws Exception {
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            message.write(part);
        }
        session.getBasicRemote().sendBinary(java.nio.ByteBuffer.wrap(message.toByteArray()));
    }

    /** The next WebSocket message that is not a heart-beat, waiting up to 10 s. */
    String nextFrame() throws InterruptedException {
        for (;;) {
            String message = messages.poll(10, TimeUnit.SECONDS);
            if (message == null) {
                // Whether the server closed without the frame, or never answered, tells two bugs apart.
                throw new AssertionError("no STOMP frame within 10 s; "
                        + (closed.isDone() ? "the connection closed: " + closed.join() : "the connection is open"));
            }
            if (!message.isBlank()) {
                return message;
            }
        }
    }

    CloseReason awaitClose(long seconds) throws Exception {
        return closed.get(seconds, TimeUnit.SECONDS);
    }

    /** Whether the connection has closed (either side). */
    boolean isClosed() {
        return closed.isDone();
    }

    /** Takes every frame received and not yet taken, heart-beats left out, without waiting. */
    List<String> takeReceivedFrames() {
        List<String> taken = new java.util.ArrayList<>();
        messages.drainTo(taken);
        return taken.stream().filter(message -> !message.isBlank()).toList();
    }

    @Override
    public void close() throws Exception {
        if (session.isOpen()) {
            session.close();
        }
    }
}
