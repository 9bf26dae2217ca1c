package dev.switchboard.examples.callcentre;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
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

    /** Opens a session for {@code user} on channel {@code user}, with a token signed by the server's secret. */
    static NativeClient connect(URL deployment, String user) throws IOException, DeploymentException {
        NativeClient client = new NativeClient();
        URI uri = URI.create(deployment.toExternalForm().replaceFirst("^http", "ws").replaceAll("/$", "")
                + "/ws/channel?channelId=" + user + "&token=" + token(user));
        client.session = ContainerProvider.getWebSocketContainer()
                .connectToServer(client, ClientEndpointConfig.Builder.create().build(), uri);
        return client;
    }

    private static String token(String user) {
        String secret = System.getProperty("switchboard.jwt.secret");
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(user)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
        return jwt.serialize();
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
