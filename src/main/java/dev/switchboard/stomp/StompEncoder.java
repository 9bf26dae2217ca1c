package dev.switchboard.stomp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link StompFrame} into its wire form for a negotiated {@link StompVersion}: the command
 * line, the headers in their order, a blank line, the body and a NUL (STOMP 1.2, "STOMP Frames").
 * Lines end with a bare LF.
 *
 * <p>Header escaping (STOMP 1.2 "Value Encoding"): none in 1.0, none for CONNECT, STOMP and CONNECTED
 * in any version; 1.1 escapes {@code \\ \n :} as {@code \\\\ \\n \\c}; 1.2 also escapes CR as
 * {@code \\r}. Where a version has no escape for a character that would change the frame's meaning
 * (a LF or CR in an unescaped header, a colon in an unescaped header name, an empty name), encoding
 * throws {@link IllegalArgumentException} rather than emit a frame that decodes differently or lets
 * a header value inject headers: callers must not pass such frames to 1.0 peers or as CONNECTED.
 * In 1.1 a CR is written as is (1.1 has no escape for it).
 *
 * <p>A {@code content-length} header is appended when the body is not empty and the frame has none,
 * so that bodies with NULs survive; a frame whose first {@code content-length} disagrees with its
 * body is refused with {@link IllegalArgumentException}.
 *
 * <p>Stateless and thread safe. Every call allocates exactly one array of the frame's size.
 */
public final class StompEncoder {

    /** One heart-beat EOL (STOMP 1.2 "Heart-beating"). */
    public static final String HEARTBEAT = "\n";

    /** Header escaping in force: 1.0 or CONNECT/STOMP/CONNECTED, 1.1, 1.2. */
    private static final int NONE = 0;
    private static final int ESCAPE_1_1 = 1;
    private static final int ESCAPE_1_2 = 2;

    private static final byte[][] COMMAND_LINES = new byte[StompCommand.values().length][];
    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    static {
        for (StompCommand command : StompCommand.values()) {
            COMMAND_LINES[command.ordinal()] = (command.name() + "\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private StompEncoder() {
    }

    /**
     * The frame's bytes for {@code version}.
     *
     * @throws IllegalArgumentException if a header cannot be written in this version without changing
     *     the frame (see the class comment) or {@code content-length} disagrees with the body
     */
    public static byte[] encode(StompFrame frame, StompVersion version) {
        StompCommand command = frame.command();
        int escaping = version == StompVersion.V1_0 || !command.escapesHeaders() ? NONE
                : version == StompVersion.V1_1 ? ESCAPE_1_1 : ESCAPE_1_2;
        byte[] body = frame.body();
        String addedLength = contentLengthToAdd(frame);
        List<Map.Entry<String, String>> headers = frame.headers().entries();

        byte[] commandLine = COMMAND_LINES[command.ordinal()];
        long size = commandLine.length;
        for (Map.Entry<String, String> header : headers) {
            size += encodedLength(header.getKey(), escaping, true) + 1
                    + encodedLength(header.getValue(), escaping, false) + 1;
        }
        if (addedLength != null) {
            size += CONTENT_LENGTH.length + addedLength.length() + 1;
        }
        size += 1 + body.length + 1;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("frame too large to encode: " + size + " bytes");
        }

        byte[] out = new byte[(int) size];
        System.arraycopy(commandLine, 0, out, 0, commandLine.length);
        int at = commandLine.length;
        for (Map.Entry<String, String> header : headers) {
            at = write(header.getKey(), escaping, out, at);
            out[at++] = ':';
            at = write(header.getValue(), escaping, out, at);
            out[at++] = '\n';
        }
        if (addedLength != null) {
            System.arraycopy(CONTENT_LENGTH, 0, out, at, CONTENT_LENGTH.length);
            at += CONTENT_LENGTH.length;
            at = write(addedLength, NONE, out, at);
            out[at++] = '\n';
        }
        out[at++] = '\n';
        System.arraycopy(body, 0, out, at, body.length);
        at += body.length;
        out[at] = 0;
        return out;
    }

    /**
     * The same bytes as {@link #encode} as a String, for a WebSocket text message: the body must be
     * valid UTF-8 (send other bodies with {@link #encode} as a binary message).
     *
     * @throws IllegalArgumentException as {@link #encode}, or when the body is not valid UTF-8
     */
    public static String encodeText(StompFrame frame, StompVersion version) {
        byte[] bytes = encode(frame, version);
        for (byte b : bytes) {
            if (b < 0) {
                try {
                    // newDecoder() reports malformed input instead of replacing it, which would
                    // silently break content-length.
                    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException(frame.command() + " frame is not valid UTF-8 text;"
                            + " send it as a binary message", e);
                }
            }
        }
        // All ASCII: the cheapest exact conversion (a straight copy into a compact Latin-1 string).
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * One header line ({@code name:value} and a line feed) as {@link #encode} writes it in a
     * {@code command} frame of {@code version}: for splicing a per-recipient header into a frame
     * encoded once for many recipients.
     *
     * @throws IllegalArgumentException if the version cannot express the header
     */
    public static String headerLine(StompCommand command, String name, String value, StompVersion version) {
        int escaping = version == StompVersion.V1_0 || !command.escapesHeaders() ? NONE
                : version == StompVersion.V1_1 ? ESCAPE_1_1 : ESCAPE_1_2;
        byte[] out = new byte[encodedLength(name, escaping, true) + 1 + encodedLength(value, escaping, false) + 1];
        int at = write(name, escaping, out, 0);
        out[at++] = ':';
        at = write(value, escaping, out, at);
        out[at] = '\n';
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String contentLengthToAdd(StompFrame frame) {
        String declared = frame.headers().get("content-length");
        int length = frame.body().length;
        if (declared == null) {
            return length == 0 ? null : Integer.toString(length);
        }
        if (declaredLength(declared) != length) {
            throw new IllegalArgumentException(frame.command() + " frame declares content-length '" + declared
                    + "' but its body has " + length + " bytes");
        }
        return null;
    }

    /** The declared length, or -1 when it is not a decimal number a decoder would accept. */
    private static long declaredLength(String declared) {
        if (declared.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < declared.length(); i++) {
            char c = declared.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return value;
    }

    /** UTF-8 length of {@code text} once escaped; validates what the version cannot express. */
    private static int encodedLength(String text, int escaping, boolean name) {
        if (name && text.isEmpty()) {
            throw new IllegalArgumentException("empty STOMP header name");
        }
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += switch (c) {
                    case '\\' -> escaping == NONE ? 1 : 2;
                    case '\n' -> escaping == NONE ? unrepresentable(text, "a line feed", name) : 2;
                    case ':' -> escaping != NONE ? 2 : name ? unrepresentable(text, "a colon", true) : 1;
                    case '\r' -> escaping == ESCAPE_1_2 ? 2
                            : escaping == NONE ? unrepresentable(text, "a carriage return", name) : 1;
                    default -> 1;
                };
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                length += 1; // an unpaired surrogate becomes '?', as String.getBytes does
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static int unrepresentable(String text, String what, boolean name) {
        throw new IllegalArgumentException("STOMP header " + (name ? "name" : "value") + " contains " + what
                + " that this frame cannot escape (STOMP 1.0, or CONNECT/CONNECTED): '"
                + text.replace("\r", "\\r").replace("\n", "\\n") + "'");
    }

    private static int write(String text, int escaping, byte[] out, int at) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (escaping != NONE) {
                    switch (c) {
                        case '\\' -> {
                            out[at++] = '\\';
                            out[at++] = '\\';
                            continue;
                        }
                        case '\n' -> {
                            out[at++] = '\\';
                            out[at++] = 'n';
                            continue;
                        }
                        case ':' -> {
                            out[at++] = '\\';
                            out[at++] = 'c';
                            continue;
                        }
                        case '\r' -> {
                            if (escaping == ESCAPE_1_2) {
                                out[at++] = '\\';
                                out[at++] = 'r';
                                continue;
                            }
                        }
                        default -> {
                        }
                    }
                }
                out[at++] = (byte) c;
            } else if (c < 0x800) {
                out[at++] = (byte) (0xc0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                int codePoint = Character.toCodePoint(c, text.charAt(++i));
                out[at++] = (byte) (0xf0 | (codePoint >> 18));
                out[at++] = (byte) (0x80 | ((codePoint >> 12) & 0x3f));
                out[at++] = (byte) (0x80 | ((codePoint >> 6) & 0x3f));
                out[at++] = (byte) (0x80 | (codePoint & 0x3f));
            } else if (Character.isSurrogate(c)) {
                out[at++] = '?';
            } else {
                out[at++] = (byte) (0xe0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[at++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return at;
    }
}
