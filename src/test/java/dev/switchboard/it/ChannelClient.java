package dev.switchboard.it;

import jakarta.json.JsonObject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.core.HandshakeException;

/**
 * A real third-party peer on the native endpoint: the Tyrus client, recording every text frame it
 * receives and how the connection closed.
 */
final class ChannelClient implements AutoCloseable {

    static final Jsonb JSONB = JsonbBuilder.create();
    private static final ClientManager TYRUS = SharedTyrusClient.INSTANCE;
    private static final long TIMEOUT_SECONDS = 10;

    private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private volatile Session session;

    private ChannelClient() {
    }

    static ChannelClient connect(ServerProcess server, String token, String channelId)
            throws DeploymentException, IOException {
        return connect(channelUri(server, token, channelId), null);
    }

    /** Connects with an optional {@code Origin} header. */
    static ChannelClient connect(URI uri, String origin) throws DeploymentException, IOException {
        ChannelClient client = new ChannelClient();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create().configurator(
                new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(Map<String, List<String>> headers) {
                        if (origin != null) {
                            headers.put("Origin", List.of(origin));
                        }
                    }
                }).build();
        client.session = TYRUS.connectToServer(client.new Recorder(), config, uri);
        return client;
    }

    /** Connects expecting a refusal and returns its HTTP status; fails if the connection opens. */
    static int refusalStatus(URI uri, String origin) throws IOException {
        try (ChannelClient unexpected = connect(uri, origin)) {
            throw new AssertionError("handshake to " + uri + " was accepted");
        } catch (DeploymentException e) {
            return refusalStatusOf(e);
        }
    }

    /** The HTTP status of a refused handshake, as the Tyrus client reports it. */
    static int refusalStatusOf(DeploymentException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HandshakeException handshake) {
                return handshake.getHttpStatusCode();
            }
        }
        throw new AssertionError("handshake failed without an HTTP status", e);
    }

    static URI channelUri(ServerProcess server, String token, String channelId) {
        StringBuilder query = new StringBuilder("/ws/channel?");
        if (token != null) {
            query.append("token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8)).append('&');
        }
        if (channelId != null) {
            query.append("channelId=").append(URLEncoder.encode(channelId, StandardCharsets.UTF_8));
        }
        return server.wsUri(query.toString());
    }

    /** The next frame received, waiting up to 10 s. */
    JsonObject next() throws InterruptedException {
        String text = frames.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (text == null) {
            throw new AssertionError("no frame within " + TIMEOUT_SECONDS + " s");
        }
        return JSONB.fromJson(text, JsonObject.class);
    }

    /** The next frame received as its text, waiting up to 10 s: for counting many frames without parsing each. */
    String nextText() throws InterruptedException {
        String text = frames.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (text == null) {
            throw new AssertionError("no frame within " + TIMEOUT_SECONDS + " s");
        }
        return text;
    }

    /** The next frame, which must be of {@code type}. */
    JsonObject expect(String type) throws InterruptedException {
        JsonObject frame = next();
        if (!type.equals(frame.getString("type", null))) {
            throw new AssertionError("expected a '" + type + "' frame but got " + frame);
        }
        return frame;
    }

    /** Skips frames until one of {@code type} arrives. */
    JsonObject awaitFrame(String type) throws InterruptedException {
        for (;;) {
            JsonObject frame = next();
            if (type.equals(frame.getString("type", null))) {
                return frame;
            }
        }
    }

    /** Frames received and not yet taken. */
    int pendingFrames() {
        return frames.size();
    }

    void send(String text) throws IOException {
        session.getBasicRemote().sendText(text);
    }

    void sendBinary(byte[] data) throws IOException {
        session.getBasicRemote().sendBinary(ByteBuffer.wrap(data));
    }

    /** How the server closed the connection, waiting up to 10 s. */
    CloseReason awaitClose() throws Exception {
        return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** How the server closed the connection, waiting up to {@code timeout}. */
    CloseReason awaitClose(java.time.Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) frames::add);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            closed.complete(reason);
        }

        @Override
        public void onError(Session session, Throwable failure) {
            closed.completeExceptionally(failure);
        }
    }
}
