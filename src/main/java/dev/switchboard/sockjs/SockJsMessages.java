package dev.switchboard.sockjs;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Parses what a SockJS client sends: a JSON array of strings (the body of {@code xhr_send}, a text
 * frame of the {@code websocket} transport), each string one message. A WebSocket frame may also
 * be one JSON string. Thread safe.
 */
public final class SockJsMessages {

    private final Jsonb jsonb;

    public SockJsMessages(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /** The messages of {@code payload}, or empty if it is not a JSON array of strings (or a JSON string). */
    public Optional<List<String>> parse(String payload) {
        String trimmed = payload.strip();
        try {
            if (trimmed.startsWith("[")) {
                String[] messages = jsonb.fromJson(trimmed, String[].class);
                if (messages == null || Arrays.stream(messages).anyMatch(m -> m == null)) {
                    return Optional.empty();
                }
                return Optional.of(List.of(messages));
            }
            if (trimmed.startsWith("\"")) {
                return Optional.of(List.of(jsonb.fromJson(trimmed, String.class)));
            }
        } catch (JsonbException e) {
            // Not JSON, or an array of something else: the caller answers "Broken JSON encoding."
            return Optional.empty();
        }
        return Optional.empty();
    }
}
