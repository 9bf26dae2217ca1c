package dev.switchboard.transport;

import dev.switchboard.session.NativeFrameCodec;
import dev.switchboard.session.ServerFrame;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.Encoder;
import jakarta.websocket.EndpointConfig;

/**
 * JSON-B encoder of native server frames, for {@code sendObject}. The session's hot path queues
 * frames already encoded by the same codec (a topic message is encoded once for all recipients).
 */
public final class ServerFrameEncoder implements Encoder.Text<ServerFrame> {

    private NativeFrameCodec codec;

    @Override
    public void init(EndpointConfig config) {
        codec = CDI.current().select(NativeFrameCodec.class).get();
    }

    @Override
    public String encode(ServerFrame frame) {
        return codec.encode(frame);
    }
}
