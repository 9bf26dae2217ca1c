package dev.switchboard.transport;

import dev.switchboard.sockjs.SockJsMessages;
import java.util.List;
import java.util.Optional;

/**
 * The client's side of the SockJS {@code websocket} transport: text messages, taken in parts as the
 * container reads them, each a JSON array of strings (SockJS 0.3.3, "WebSocket"). Bounded: a message
 * past the limit is refused as soon as it crosses it. Not thread-safe (one session's messages come
 * one at a time).
 */
final class SockJsInboundFrames {

    /** What one complete text message was. */
    sealed interface Result {
        record Messages(List<String> messages) implements Result {
        }

        /** Not a JSON array of strings. */
        record Broken() implements Result {
        }

        record TooBig() implements Result {
        }
    }

    private final SockJsMessages parser;
    private final long maxChars;
    private final StringBuilder joined = new StringBuilder();
    private boolean skipping;

    /** {@code maxMessageBytes}: the protocol's limit on one message; escaping may take six characters per byte. */
    SockJsInboundFrames(SockJsMessages parser, int maxMessageBytes) {
        this.parser = parser;
        this.maxChars = maxMessageBytes * 6L + 1024;
    }

    /** The next part; a result after the last part of a message (TooBig once, as it crosses the limit), else null. */
    Result part(String part, boolean last) {
        if (skipping) {
            skipping = !last;
            return null;
        }
        if (joined.length() + part.length() > maxChars) {
            joined.setLength(0);
            skipping = !last;
            return new Result.TooBig();
        }
        String text;
        if (joined.isEmpty() && last) {
            text = part;
        } else {
            joined.append(part);
            if (!last) {
                return null;
            }
            text = joined.toString();
            joined.setLength(0);
        }
        if (text.isBlank()) {
            return new Result.Messages(List.of()); // the protocol ignores empty frames
        }
        Optional<List<String>> messages = parser.parse(text);
        return messages.<Result>map(Result.Messages::new).orElseGet(Result.Broken::new);
    }
}
