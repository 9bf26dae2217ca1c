package dev.switchboard.it;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A STOMP frame received as one text message (over SockJS every message is one whole frame):
 * command, headers (first occurrence wins, STOMP 1.2 section "Repeated Header Entries") and body,
 * cut at {@code content-length} when the frame has one, else at the first NUL.
 */
record StompText(String command, Map<String, String> headers, String body) {

    static StompText parse(String text) {
        int headEnd = text.indexOf("\n\n");
        if (headEnd < 0) {
            throw new AssertionError("not a STOMP frame: '" + SockJsStream.printable(text) + "'");
        }
        String[] lines = text.substring(0, headEnd).split("\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
        }
        String rest = text.substring(headEnd + 2);
        String body;
        if (headers.containsKey("content-length")) {
            byte[] bytes = rest.getBytes(StandardCharsets.UTF_8);
            body = new String(bytes, 0, Integer.parseInt(headers.get("content-length")), StandardCharsets.UTF_8);
        } else {
            body = rest.substring(0, rest.indexOf('\0'));
        }
        return new StompText(lines[0], Map.copyOf(headers), body);
    }

    /** The header's value; fails if the frame lacks it. */
    String header(String name) {
        String value = headers.get(name);
        if (value == null) {
            throw new AssertionError(command + " frame without '" + name + "': " + headers);
        }
        return value;
    }
}
