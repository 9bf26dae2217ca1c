package dev.switchboard.bench.client;

import java.nio.ByteBuffer;

/**
 * Encodes client-to-server WebSocket frames (RFC 6455 section 5.2). Clients must mask every
 * frame (section 5.3); the key only has to be unpredictable to defeat proxy cache poisoning, so a
 * cheap xorshift is enough for a load generator. Not thread safe: one per selector thread.
 */
final class ClientFrames {

    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PONG = 0xA;

    private int maskState = 0x9E3779B9;

    /** Writes one final frame with {@code payload[off, off+len)} masked into {@code out}. */
    void write(ByteBuffer out, int opcode, byte[] payload, int off, int len) {
        out.put((byte) (0x80 | opcode));
        if (len < 126) {
            out.put((byte) (0x80 | len));
        } else if (len < 65536) {
            out.put((byte) (0x80 | 126));
            out.putShort((short) len);
        } else {
            out.put((byte) (0x80 | 127));
            out.putLong(len);
        }
        int mask = nextMask();
        out.putInt(mask);
        for (int i = 0; i < len; i++) {
            int shift = 24 - 8 * (i & 3);
            out.put((byte) (payload[off + i] ^ (mask >>> shift)));
        }
    }

    static int maxFrameLength(int payloadLength) {
        return payloadLength + 14;
    }

    private int nextMask() {
        int x = maskState;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        maskState = x;
        return x;
    }
}
