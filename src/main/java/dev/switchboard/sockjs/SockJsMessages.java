package dev.switchboard.sockjs;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses what a SockJS client sends: a JSON array of strings (the body of {@code xhr_send}, a text
 * frame of the {@code websocket} transport), each string one message; a WebSocket frame may also be
 * one JSON string. Strict, through the JSON-P parser under JSON-B: a truncated array, trailing text
 * or an element that is not a string is refused (JSON-B's binding is lenient about the first two).
 * Thread safe.
 */
public final class SockJsMessages {

    /** The messages of {@code payload}, or empty if it is not exactly a JSON array of strings (or a JSON string). */
    public Optional<List<String>> parse(String payload) {
        try (JsonParser parser = Json.createParser(new StringReader(payload))) {
            if (!parser.hasNext()) {
                return Optional.empty();
            }
            JsonParser.Event first = parser.next();
            List<String> messages = new ArrayList<>();
            if (first == JsonParser.Event.VALUE_STRING) {
                messages.add(parser.getString());
            } else if (first == JsonParser.Event.START_ARRAY) {
                for (JsonParser.Event event = parser.next(); event != JsonParser.Event.END_ARRAY; event = parser.next()) {
                    if (event != JsonParser.Event.VALUE_STRING) {
                        return Optional.empty();
                    }
                    messages.add(parser.getString());
                }
            } else {
                return Optional.empty();
            }
            return parser.hasNext() ? Optional.empty() : Optional.of(messages);
        } catch (JsonException | java.util.NoSuchElementException e) {
            // Not JSON, or cut short: the caller answers "Broken JSON encoding."
            return Optional.empty();
        }
    }
}
