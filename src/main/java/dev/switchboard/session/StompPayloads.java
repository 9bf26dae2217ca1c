package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * Body mapping between STOMP and the broker's JSON payloads (CONTRACT.md section 3): a JSON
 * string travels as plain text ({@code text/plain;charset=UTF-8}), any other JSON value as its
 * JSON text ({@code application/json}); a STOMP body declared JSON must be valid JSON, any other
 * text becomes a JSON string. Thread safe.
 */
public final class StompPayloads {

    /** A STOMP body: its content type and text. */
    public record StompBody(String contentType, String text) {
    }

    static final String TEXT = "text/plain;charset=UTF-8";
    static final String JSON = "application/json";

    private final Jsonb jsonb;
    /** The shared encoder a {@link Delivery} caches its STOMP body under (mapped once per message). */
    private final Function<Delivery, StompBody> bodyEncoder = delivery -> toStompBody(delivery.dataJson());

    public StompPayloads(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /** The STOMP body of a delivery, computed once per delivery and shared by all recipients. */
    public StompBody bodyOf(Delivery delivery) {
        return delivery.encoded(bodyEncoder);
    }

    StompBody toStompBody(String dataJson) {
        JsonValue value = jsonb.fromJson(dataJson, JsonValue.class);
        return value instanceof JsonString string ? new StompBody(TEXT, string.getString()) : new StompBody(JSON, dataJson);
    }

    /**
     * The JSON payload of a STOMP body.
     *
     * @throws IllegalArgumentException if the body is declared JSON but is not, or is not UTF-8 text
     */
    public String toDataJson(byte[] body, String contentType) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the body is not UTF-8 text; binary bodies are not supported");
        }
        if (contentType != null && isJson(contentType)) {
            try {
                return jsonb.toJson(jsonb.fromJson(text, JsonValue.class));
            } catch (JsonbException e) {
                throw new IllegalArgumentException("the body is declared " + contentType + " but is not valid JSON");
            }
        }
        return jsonb.toJson(text);
    }

    private static boolean isJson(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.equals(JSON) || type.endsWith("+json");
    }
}
