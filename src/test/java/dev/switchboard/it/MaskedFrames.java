package dev.switchboard.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket frames as a client must write them (RFC 6455 section 5.2 and 5.3): FIN set, the
 * payload masked with a fresh 4-byte key. For tests that talk to the server on a raw socket.
 */
final class MaskedFrames {

    private static final int FIN = 0x80;
    private static final int OPCODE_TEXT = 0x1;
    private static final int MASKED = 0x80;

    private MaskedFrames() {
    }

    /** One complete, masked text frame carrying {@code text} as UTF-8. */
    static byte[] text(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        // Header: 2 bytes, plus 2 or 8 bytes of extended length (section 5.2), plus the 4-byte mask.
        int extended = payload.length < 126 ? 0 : payload.length <= 0xFFFF ? 2 : 8;
        ByteBuffer frame = ByteBuffer.allocate(2 + extended + 4 + payload.length);
        frame.put((byte) (FIN | OPCODE_TEXT));
        if (extended == 0) {
            frame.put((byte) (MASKED | payload.length));
        } else if (extended == 2) {
            frame.put((byte) (MASKED | 126));
            frame.putShort((short) payload.length);
        } else {
            frame.put((byte) (MASKED | 127));
            frame.putLong(payload.length);
        }
        frame.put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i % 4]));
        }
        return frame.array();
    }
}
