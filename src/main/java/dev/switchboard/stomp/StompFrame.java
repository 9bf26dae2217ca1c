package dev.switchboard.stomp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One STOMP frame: command, headers (already unescaped), body bytes (may contain NULs when a
 * {@code content-length} delimited it). The body array is not copied: treat it as immutable.
 */
public record StompFrame(StompCommand command, StompHeaders headers, byte[] body) {

    private static final byte[] NO_BODY = new byte[0];

    public StompFrame {
        Objects.requireNonNull(command);
        Objects.requireNonNull(headers);
        body = body == null ? NO_BODY : body;
    }

    public static StompFrame of(StompCommand command, StompHeaders headers) {
        return new StompFrame(command, headers, NO_BODY);
    }

    /** The first value of header {@code name}, or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StompFrame frame && frame.command == command && frame.headers.equals(headers)
                && Arrays.equals(frame.body, body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "StompFrame[" + command + " " + headers + " " + body.length + " bytes]";
    }
}
