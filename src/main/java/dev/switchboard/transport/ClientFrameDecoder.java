package dev.switchboard.transport;

import dev.switchboard.session.NativeFrameCodec;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;
import java.nio.charset.StandardCharsets;

/**
 * JSON-B decoder of native client frames. Never fails: text that is not a valid frame decodes to
 * {@link NativeFrameCodec.Decoded.Malformed}, which the session answers with an {@code error} frame
 * while staying open (CONTRACT.md section 2), and text over the message size limit to
 * {@link NativeFrameCodec.Decoded.TooBig}, for containers that deliver it instead of closing the
 * session with 1009 themselves.
 */
public final class ClientFrameDecoder implements Decoder.Text<NativeFrameCodec.Decoded> {

    private NativeFrameCodec codec;
    private int maxMessageBytes;

    @Override
    public void init(EndpointConfig config) {
        // Decoders are created by the container, not by CDI: look the shared beans up once.
        codec = CDI.current().select(NativeFrameCodec.class).get();
        maxMessageBytes = CDI.current().select(TransportSettings.class).get().maxMessageBytes();
    }

    @Override
    public NativeFrameCodec.Decoded decode(String text) {
        if (exceedsLimit(text)) {
            return new NativeFrameCodec.Decoded.TooBig(text.getBytes(StandardCharsets.UTF_8).length, maxMessageBytes);
        }
        return codec.decodeClientFrame(text);
    }

    /** A char takes 1 to 3 bytes in UTF-8 (a surrogate pair 4 for 2): the length alone settles most texts. */
    private boolean exceedsLimit(String text) {
        if (text.length() > maxMessageBytes) {
            return true;
        }
        if ((long) text.length() * 3 <= maxMessageBytes) {
            return false;
        }
        return text.getBytes(StandardCharsets.UTF_8).length > maxMessageBytes;
    }

    @Override
    public boolean willDecode(String text) {
        return true;
    }
}
