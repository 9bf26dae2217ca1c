package dev.switchboard.session;

import java.nio.charset.StandardCharsets;

/**
 * Operations on an encoded STOMP frame as it is queued: a {@code String} goes out as a text
 * message, a {@code byte[]} as a binary one. Stateless.
 */
final class StompWire {

    private static final String REDELIVERED_HEADER = "redelivered:true\n";

    private StompWire() {
    }

    /** Queues {@code wire} on {@code outbound} as text or binary, by its type. */
    static void offer(OutboundQueue outbound, Object wire) {
        if (wire instanceof String text) {
            outbound.offer(text);
        } else {
            outbound.offer((byte[]) wire);
        }
    }

    /** Marks an encoded MESSAGE frame as a redelivery: a header right after the command line. */
    static Object withRedeliveredHeader(Object wire) {
        if (wire instanceof String text) {
            int endOfCommand = text.indexOf('\n');
            return text.substring(0, endOfCommand + 1) + REDELIVERED_HEADER + text.substring(endOfCommand + 1);
        }
        byte[] bytes = (byte[]) wire;
        byte[] header = REDELIVERED_HEADER.getBytes(StandardCharsets.UTF_8);
        int afterCommand = indexOf(bytes, (byte) '\n') + 1;
        byte[] marked = new byte[bytes.length + header.length];
        System.arraycopy(bytes, 0, marked, 0, afterCommand);
        System.arraycopy(header, 0, marked, afterCommand, header.length);
        System.arraycopy(bytes, afterCommand, marked, afterCommand + header.length, bytes.length - afterCommand);
        return marked;
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
