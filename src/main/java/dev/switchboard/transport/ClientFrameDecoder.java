package dev.switchboard.transport;

import dev.switchboard.session.NativeFrameCodec;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;

/**
 * JSON-B decoder of native client frames. Never fails: text that is not a valid frame decodes to
 * {@link NativeFrameCodec.Decoded.Malformed}, which the session answers with an {@code error} frame
 * while staying open (CONTRACT.md section 2).
 */
public final class ClientFrameDecoder implements Decoder.Text<NativeFrameCodec.Decoded> {

    private NativeFrameCodec codec;

    @Override
    public void init(EndpointConfig config) {
        // Decoders are created by the container, not by CDI: look the shared codec up once.
        codec = CDI.current().select(NativeFrameCodec.class).get();
    }

    @Override
    public NativeFrameCodec.Decoded decode(String text) {
        return codec.decodeClientFrame(text);
    }

    @Override
    public boolean willDecode(String text) {
        return true;
    }
}
