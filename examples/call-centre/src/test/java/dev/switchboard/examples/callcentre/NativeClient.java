package dev.switchboard.examples.callcentre;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A native-protocol client (docs/protocol.md, "Native endpoint") that records every frame it is
 * sent. It runs inside the container under test, with that container's own WebSocket client,
 * and connects to the container's HTTP port as any outside client would.
 */
final class NativeClient extends Endpoint implements AutoCloseable {

    private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    private Session session;

    /** Opens a session on {@code channelId} with {@code token}, at the deployment's {@code /ws/channel}. */
    static NativeClient connect(URL deployment, String channelId, String token) throws IOException, DeploymentException {
        NativeClient client = new NativeClient();
        URI uri = URI.create(deployment.toExternalForm().replaceFirst("^http", "ws").replaceAll("/$", "")
                + "/ws/channel?channelId=" + channelId + "&token=" + token);
        client.session = ContainerProvider.getWebSocketContainer()
                .connectToServer(client, ClientEndpointConfig.Builder.create().build(), uri);
        return client;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text ->
                frames.add(Json.createReader(new StringReader(text)).readObject()));
    }

    void send(String json) throws IOException {
        session.getBasicRemote().sendText(json);
    }

    /** Every frame received so far, oldest first. */
    List<JsonObject> frames() {
        return List.copyOf(frames);
    }

    /** The frames of one {@code type} received so far. */
    List<JsonObject> frames(String type) {
        return frames.stream().filter(frame -> type.equals(frame.getString("type", null))).toList();
    }

    @Override
    public void close() throws IOException {
        session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "test done"));
    }
}
