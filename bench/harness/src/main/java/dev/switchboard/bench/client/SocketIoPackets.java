package dev.switchboard.bench.client;

/**
 * Just enough of Engine.IO v4 and the Socket.IO v5 protocol (what the {@code socket.io} v4 npm
 * package speaks) over the WebSocket transport to join a room and receive events, read in place
 * from a text frame's payload without allocating. On that transport every Engine.IO packet is one
 * WebSocket text frame: a type digit ({@code 0} open, {@code 2} ping, {@code 3} pong, {@code 4}
 * message, ...) then its data; a message's data is a Socket.IO packet: a type digit ({@code 0}
 * CONNECT, {@code 2} EVENT, {@code 4} CONNECT_ERROR, ...), then, outside the main namespace, a
 * namespace and a comma, then an optional ack id, then JSON, e.g. {@code 42["message",{"t":1}]}.
 * Only the main namespace is spoken here.
 */
final class SocketIoPackets {

    /** What a text frame from the server is. */
    enum Kind {
        /** Engine.IO open ({@code 0{"sid":...}}): answer with a Socket.IO CONNECT. */
        OPEN,
        /** Engine.IO ping ({@code 2}): answer with a pong ({@code 3}) or the server drops us. */
        PING,
        /** Socket.IO CONNECT acknowledged ({@code 40{"sid":...}}): the middleware accepted the token. */
        CONNECTED,
        /** Socket.IO CONNECT_ERROR ({@code 44{"message":...}}): refused. */
        CONNECT_ERROR,
        /** Socket.IO EVENT ({@code 42[...]}): see {@link #eventNameAt}. */
        EVENT,
        /** Anything else (close, noop, ack, a namespace we do not speak, ...). */
        OTHER
    }

    /** Engine.IO pong, the answer to a ping. */
    static final byte[] PONG = Ascii.bytes("3");

    private SocketIoPackets() {
    }

    static Kind kind(byte[] bytes, int off, int end) {
        if (end - off < 1) {
            return Kind.OTHER;
        }
        switch (bytes[off]) {
            case '0':
                return Kind.OPEN;
            case '2':
                return end - off == 1 ? Kind.PING : Kind.OTHER; // "2probe" only while upgrading from polling
            case '4':
                if (end - off < 2) {
                    return Kind.OTHER;
                }
                return switch (bytes[off + 1]) {
                    case '0' -> Kind.CONNECTED;
                    case '4' -> Kind.CONNECT_ERROR;
                    case '2' -> eventNameAt(bytes, off, end) >= 0 ? Kind.EVENT : Kind.OTHER;
                    default -> Kind.OTHER;
                };
            default:
                return Kind.OTHER;
        }
    }

    /**
     * Where an EVENT's name starts (its opening quote) in {@code 42[<ack id>]["name",...]}, or -1
     * if {@code bytes[off, end)} is no event of the main namespace.
     */
    static int eventNameAt(byte[] bytes, int off, int end) {
        if (end - off < 4 || bytes[off] != '4' || bytes[off + 1] != '2') {
            return -1;
        }
        int at = off + 2;
        while (at < end && bytes[at] >= '0' && bytes[at] <= '9') {
            at++; // ack id
        }
        if (at + 1 >= end || bytes[at] != '[' || bytes[at + 1] != '"') {
            return -1; // "/namespace," or not an array
        }
        return at + 1;
    }

    /** Whether {@code bytes[off, end)} is the event {@code quotedName} (e.g. {@code "\"message\""}). */
    static boolean isEvent(byte[] bytes, int off, int end, byte[] quotedName) {
        int at = eventNameAt(bytes, off, end);
        return at >= 0 && Ascii.startsWith(bytes, at, end, quotedName);
    }

    /** Socket.IO CONNECT to the main namespace with the token as auth payload ({@code socket.handshake.auth}). */
    static String connect(String token) {
        return "40{\"token\":\"" + token + "\"}";
    }

    /** The EVENT {@code name} with one string argument. */
    static String event(String name, String argument) {
        return "42[\"" + name + "\",\"" + argument + "\"]";
    }
}
