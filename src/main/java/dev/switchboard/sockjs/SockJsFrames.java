package dev.switchboard.sockjs;

import java.util.List;

/**
 * The frames of the SockJS 0.3.3 protocol, as text: {@code o} (open), {@code h} (heart-beat),
 * {@code a[...]} (messages) and {@code c[code,"reason"]} (close). Pure functions.
 *
 * <p>Strings inside frames are JSON strings with more escaped than JSON requires: the protocol's
 * section "JSON encoding" asks for the characters that some browsers mangle or drop
 * ({@code \u200c-\u200f}, {@code \u2028-\u202f}, {@code \u2060-\u206f}, {@code \ufff0-\uffff}) and
 * every surrogate to be written as {@code \\uXXXX}, so that a frame survives every transport
 * byte for byte. This escaping is the protocol's own rule, which a JSON library does not offer;
 * parsing inbound JSON is left to JSON-B ({@link SockJsMessages}).
 */
public final class SockJsFrames {

    public static final String OPEN = "o";
    public static final String HEARTBEAT = "h";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SockJsFrames() {
    }

    /** {@code a[...]} of messages already quoted and joined with commas ({@link #appendQuoted}). */
    public static String messages(CharSequence quotedJoined) {
        return new StringBuilder(quotedJoined.length() + 3).append("a[").append(quotedJoined).append(']').toString();
    }

    /** {@code a[...]} of {@code messages}. */
    public static String messages(List<String> messages) {
        StringBuilder joined = new StringBuilder();
        for (String message : messages) {
            if (!joined.isEmpty()) {
                joined.append(',');
            }
            appendQuoted(joined, message);
        }
        return messages(joined);
    }

    /** {@code c[code,"reason"]}. */
    public static String close(int code, String reason) {
        StringBuilder frame = new StringBuilder(reason.length() + 16).append("c[").append(code).append(',');
        appendQuoted(frame, reason);
        return frame.append(']').toString();
    }

    /** {@code text} as a JSON string, quotes included, escaped as the protocol asks. */
    public static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        appendQuoted(out, text);
        return out.toString();
    }

    /** Appends {@code text} as a JSON string, quotes included, escaped as the protocol asks. */
    public static void appendQuoted(StringBuilder out, CharSequence text) {
        out.append('"');
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (mustEscape(c)) {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Control characters and the ranges of the protocol's "JSON encoding" section. */
    static boolean mustEscape(char c) {
        return c < 0x20
                || c >= 0x7f && c <= 0x9f
                || c >= 0x200c && c <= 0x200f
                || c >= 0x2028 && c <= 0x202f
                || c >= 0x2060 && c <= 0x206f
                || c >= 0xfff0
                || Character.isSurrogate(c);
    }
}
