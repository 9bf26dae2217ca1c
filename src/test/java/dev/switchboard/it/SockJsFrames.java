package dev.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import java.util.regex.Pattern;

/**
 * SockJS 0.3.3 framing as a client sees it (sockjs-protocol-0.3.3, "Protocol and framing"): the
 * server sends {@code o}, {@code h}, {@code a[<JSON strings>]} and {@code c[<code>,"<reason>"]};
 * the client sends JSON arrays of strings. Also the two character sets of "JSON Unicode Encoding":
 * what a browser client escapes on the way out, and what the server must escape on the way in.
 */
final class SockJsFrames {

    /**
     * The characters sockjs-client escapes as {@code \}{@code uXXXX} in what it sends, because
     * browsers mangle them on XHR transports (the spec's {@code escapable_by_client} set: quote,
     * control characters, and a list of combining marks, format characters and compatibility
     * characters that some browsers normalise).
     */
    static final Pattern ESCAPED_BY_CLIENTS = Pattern.compile("[\\u0000-\\u001f\\u0022\\u007f-\\u009f\\u00ad"
            + "\\u0300-\\u0333\\u033d-\\u0346\\u034a-\\u034c\\u0350-\\u0352\\u0357-\\u0358\\u035c-\\u0362\\u0374"
            + "\\u037e\\u0387\\u0591-\\u05af\\u05c4\\u0600-\\u0604\\u0610-\\u0617\\u0653-\\u0654\\u0657-\\u065b"
            + "\\u065d-\\u065e\\u06df-\\u06e2\\u06eb-\\u06ec\\u070f\\u0730\\u0732-\\u0733\\u0735-\\u0736\\u073a"
            + "\\u073d\\u073f-\\u0741\\u0743\\u0745\\u0747\\u07eb-\\u07f1\\u0951\\u0958-\\u095f\\u09dc-\\u09dd"
            + "\\u09df\\u0a33\\u0a36\\u0a59-\\u0a5b\\u0a5e\\u0b5c-\\u0b5d\\u0e38-\\u0e39\\u0f43\\u0f4d\\u0f52"
            + "\\u0f57\\u0f5c\\u0f69\\u0f72-\\u0f76\\u0f78\\u0f80-\\u0f83\\u0f93\\u0f9d\\u0fa2\\u0fa7\\u0fac"
            + "\\u0fb9\\u17b4-\\u17b5\\u1939-\\u193a\\u1a17\\u1b6b\\u1cda-\\u1cdb\\u1dc0-\\u1dcf\\u1dfc\\u1dfe"
            + "\\u1f71\\u1f73\\u1f75\\u1f77\\u1f79\\u1f7b\\u1f7d\\u1fbb\\u1fbe\\u1fc9\\u1fcb\\u1fd3\\u1fdb\\u1fe3"
            + "\\u1feb\\u1fee-\\u1fef\\u1ff9\\u1ffb\\u1ffd\\u2000-\\u20ff\\u2126\\u212a-\\u212b\\u2329-\\u232a"
            + "\\u2adc\\u302b-\\u302c\\uaab2-\\uaab3\\uf900-\\ufa0d\\ufa10\\ufa12\\ufa15-\\ufa1e\\ufa20\\ufa22"
            + "\\ufa25-\\ufa26\\ufa2a-\\ufa2d\\ufa30-\\ufa6d\\ufa70-\\ufad9\\ufb1d\\ufb1f\\ufb2a-\\ufb36"
            + "\\ufb38-\\ufb3c\\ufb3e\\ufb40-\\ufb41\\ufb43-\\ufb44\\ufb46-\\ufb4e\\ufeff\\ufff0-\\uffff]");

    /**
     * The characters a server must escape in frames (the spec's {@code escapable_by_server}):
     * browsers drop or mangle them when they arrive raw (U+2028/U+2029 also end a JavaScript line,
     * which breaks the jsonp and htmlfile transports).
     */
    static final Pattern ESCAPED_BY_SERVERS = Pattern.compile(
            "[\\u0000-\\u001f\\u200c-\\u200f\\u2028-\\u202f\\u2060-\\u206f\\ufff0-\\uffff]");

    private SockJsFrames() {
    }

    /** Every character of {@code pattern} in [{@code from}, {@code to}], in order. */
    static String charactersOf(Pattern pattern, int from, int to) {
        StringBuilder chars = new StringBuilder();
        for (int c = from; c <= to; c++) {
            if (pattern.matcher(String.valueOf((char) c)).matches()) {
                chars.append((char) c);
            }
        }
        return chars.toString();
    }

    /** {@code text} with each character as a lower-case {@code \}{@code uXXXX} escape, as the spec's tests spell them. */
    static String unicodeEscaped(String text) {
        StringBuilder escaped = new StringBuilder();
        text.chars().forEach(c -> escaped.append(String.format("\\u%04x", c)));
        return escaped.toString();
    }

    /**
     * A JSON string literal of {@code text} as sockjs-client writes one: backslash as {@code \\},
     * every character of {@link #ESCAPED_BY_CLIENTS} as {@code \}{@code uXXXX}, the rest raw.
     */
    static String quoteAsBrowser(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '\\') {
                quoted.append("\\\\");
            } else if (ESCAPED_BY_CLIENTS.matcher(String.valueOf(c)).matches()) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /** The body of an xhr_send: a JSON array of {@code messages}, escaped as sockjs-client does. */
    static String sendBody(String... messages) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < messages.length; i++) {
            body.append(i == 0 ? "" : ",").append(quoteAsBrowser(messages[i]));
        }
        return body.append(']').toString();
    }

    /**
     * A JSON string literal of {@code text} as sockjs-node writes one (JavaScript's
     * {@code JSON.stringify}: short escapes for backspace, form feed, newline, return and tab, the
     * other control characters as lower-case {@code \}{@code u00xx}), plus the characters of
     * {@link #ESCAPED_BY_SERVERS} as lower-case {@code \}{@code uXXXX}: what a frame of a
     * conforming server holds for {@code text}, byte for byte.
     */
    static String jsonString(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\b' -> quoted.append("\\b");
                case '\f' -> quoted.append("\\f");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (ESCAPED_BY_SERVERS.matcher(String.valueOf(c)).matches()) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /** The frame {@code a[...]} of one message, as a conforming server writes it. */
    static String messageFrame(String message) {
        return "a[" + jsonString(message) + "]";
    }

    /** The messages of an {@code a[...]} frame (without its trailing newline). */
    static List<String> messages(String frame) {
        if (!frame.startsWith("a[")) {
            throw new AssertionError("not a message frame: '" + SockJsStream.printable(frame) + "'");
        }
        try (JsonReader reader = Json.createReader(new StringReader(frame.substring(1)))) {
            JsonArray array = reader.readArray();
            return array.stream().map(value -> {
                if (value.getValueType() != JsonValue.ValueType.STRING) {
                    throw new AssertionError("message that is not a JSON string in '" + frame + "'");
                }
                return ((JsonString) value).getString();
            }).toList();
        }
    }

    /** The code of a {@code c[code,"reason"]} frame. */
    static int closeCode(String frame) {
        return closeFrame(frame).getInt(0);
    }

    /** The reason of a {@code c[code,"reason"]} frame. */
    static String closeReason(String frame) {
        return closeFrame(frame).getString(1);
    }

    private static JsonArray closeFrame(String frame) {
        if (!frame.startsWith("c[")) {
            throw new AssertionError("not a close frame: '" + SockJsStream.printable(frame) + "'");
        }
        try (JsonReader reader = Json.createReader(new StringReader(frame.substring(1)))) {
            return reader.readArray();
        }
    }

    /** The close frame {@code c[code,"reason"]} as a server writes it (reason as a JSON string). */
    static String closeFrame(int code, String reason) {
        return "c[" + code + "," + jsonString(reason) + "]";
    }
}
