package dev.switchboard.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ClientFramesTest {

    private final ClientFrames frames = new ClientFrames();

    @Test
    void aSmallTextFrameIsFinalMaskedAndUnmasksToThePayload() {
        byte[] payload = Ascii.bytes("{\"type\":\"ping\"}");
        ByteBuffer out = ByteBuffer.allocate(64);
        frames.write(out, ClientFrames.TEXT, payload, 0, payload.length);
        out.flip();
        assertThat(out.get() & 0xFF).isEqualTo(0x81);
        assertThat(out.get() & 0xFF).isEqualTo(0x80 | payload.length);
        assertThat(unmask(out, payload.length)).isEqualTo(payload);
    }

    @Test
    void aPayloadOf126BytesOrMoreUsesTheTwoByteLength() {
        byte[] payload = new byte[300];
        java.util.Arrays.fill(payload, (byte) 'a');
        ByteBuffer out = ByteBuffer.allocate(400);
        frames.write(out, ClientFrames.TEXT, payload, 0, payload.length);
        out.flip();
        out.get();
        assertThat(out.get() & 0xFF).isEqualTo(0x80 | 126);
        assertThat(out.getShort() & 0xFFFF).isEqualTo(300);
        assertThat(unmask(out, 300)).isEqualTo(payload);
    }

    @Test
    void consecutiveFramesUseDifferentMasks() {
        byte[] payload = Ascii.bytes("same");
        ByteBuffer first = ByteBuffer.allocate(16);
        ByteBuffer second = ByteBuffer.allocate(16);
        frames.write(first, ClientFrames.TEXT, payload, 0, 4);
        frames.write(second, ClientFrames.TEXT, payload, 0, 4);
        assertThat(first.getInt(2)).isNotEqualTo(second.getInt(2));
    }

    private static byte[] unmask(ByteBuffer frame, int length) {
        byte[] mask = new byte[4];
        frame.get(mask);
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (frame.get() ^ mask[i & 3]);
        }
        return payload;
    }
}
