package dev.switchboard.bench.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Parses, in place, what a server sent on one connection: first the HTTP head answering the
 * upgrade, then WebSocket frames (RFC 6455 section 5.2). Hands each complete frame's payload to
 * the {@link Sink} as a range of the shared read buffer: nothing is copied or allocated per frame.
 * Stateless apart from its sink: one per load client, used by its selector thread.
 */
final class InboundParser {

    private static final byte[] HEAD_END = Ascii.bytes("\r\n\r\n");
    private static final byte[] LINE_END = Ascii.bytes("\r\n");
    private static final byte[] STATUS_101 = Ascii.bytes(" 101 ");

    /** What the parser found. Payload ranges are valid only during the call. */
    interface Sink {
        /** The server answered 101: frames follow. */
        void upgraded(WsConnection connection) throws IOException;

        /** The server refused the upgrade with this status line. */
        void refused(WsConnection connection, String statusLine);

        void frame(WsConnection connection, int opcode, byte[] bytes, int off, int len) throws IOException;

        /**
         * The same with the FIN bit: a server may fragment a large message (Tomcat does, into
         * frames of its WebSocket buffer size; RFC 6455 section 5.4). The default ignores FIN, which
         * is fine while every message fits one frame.
         */
        default void frame(WsConnection connection, int opcode, boolean fin, byte[] bytes, int off, int len) throws IOException {
            frame(connection, opcode, bytes, off, len);
        }

        /** The server broke the protocol; the connection must go. */
        void violation(WsConnection connection, String why);
    }

    private final Sink sink;
    private final int maxFrameLength;

    InboundParser(Sink sink, int maxFrameLength) {
        this.sink = sink;
        this.maxFrameLength = maxFrameLength;
    }

    /** Parses everything complete in {@code bytes[0, end)}; returns how many bytes were used. */
    int parse(WsConnection connection, byte[] bytes, int end) throws IOException {
        int at = 0;
        if (connection.state == WsConnection.State.UPGRADING) {
            int headEnd = Ascii.indexOf(bytes, 0, end, HEAD_END);
            if (headEnd < 0) {
                return 0;
            }
            int lineEnd = Ascii.indexOf(bytes, 0, headEnd + 2, LINE_END);
            if (Ascii.indexOf(bytes, 0, lineEnd, STATUS_101) < 0) {
                sink.refused(connection, new String(bytes, 0, lineEnd, StandardCharsets.US_ASCII));
                return end;
            }
            at = headEnd + 4;
            sink.upgraded(connection);
        }
        while (connection.isOpen() && end - at >= 2) {
            int b1 = bytes[at + 1] & 0xFF;
            int opcode = bytes[at] & 0x0F;
            int header = 2;
            long length = b1 & 0x7F;
            if (length == 126) {
                if (end - at < 4) {
                    break;
                }
                length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                if (end - at < 10) {
                    break;
                }
                length = 0;
                for (int i = 2; i < 10; i++) {
                    length = (length << 8) | (bytes[at + i] & 0xFF);
                }
                header = 10;
            }
            if ((b1 & 0x80) != 0) {
                sink.violation(connection, "server sent a masked frame"); // section 5.1
                return end;
            }
            if (length > maxFrameLength) {
                sink.violation(connection, "frame of " + length + " bytes is larger than the read buffer");
                return end;
            }
            if (end - at < header + length) {
                break;
            }
            sink.frame(connection, opcode, (bytes[at] & 0x80) != 0, bytes, at + header, (int) length);
            at += header + (int) length;
        }
        return at;
    }
}
