package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import dev.switchboard.protocol.JsonNesting;
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
 * Body mapping between STOMP and the broker's payloads (docs/stomp.md, Bodies): a JSON string
 * travels as plain text ({@code text/plain;charset=UTF-8}), any other JSON value as its JSON text
 * ({@code application/json}). Inbound, a body declared JSON must be valid JSON; a text body (a
 * {@code text/*} type, or no type and valid UTF-8) becomes a JSON string; any other body is binary
 * and keeps its bytes and content type. Thread safe.
 */
public final class StompPayloads {

    /** An outbound STOMP body: content type and bytes; {@code binary} bodies go out as binary WebSocket messages. */
    public record StompBody(String contentType, byte[] bytes, boolean binary) {
    }

    /** What a SEND body is for the broker. */
    public sealed interface InboundBody {
        record Json(String dataJson) implements InboundBody {
        }

        record Binary(byte[] bytes, String contentType) implements InboundBody {
        }
    }

    static final String TEXT = "text/plain;charset=UTF-8";
    static final String JSON = "application/json";
    static final String OCTET_STREAM = "application/octet-stream";

    private final Jsonb jsonb;
    /** The shared encoder a {@link Delivery} caches its STOMP body under (mapped once per message). */
    private final Function<Delivery, StompBody> bodyEncoder = this::toStompBody;

    public StompPayloads(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /** The STOMP body of a delivery, computed once per delivery and shared by all recipients. */
    public StompBody bodyOf(Delivery delivery) {
        return delivery.encoded(bodyEncoder);
    }

    private StompBody toStompBody(Delivery delivery) {
        if (delivery.isBinary()) {
            return new StompBody(delivery.contentType(), delivery.binaryBody(), true);
        }
        JsonValue value = jsonb.fromJson(delivery.dataJson(), JsonValue.class);
        return value instanceof JsonString string
                ? new StompBody(TEXT, string.getString().getBytes(StandardCharsets.UTF_8), false)
                : new StompBody(JSON, delivery.dataJson().getBytes(StandardCharsets.UTF_8), false);
    }

    /**
     * What a SEND body carries.
     *
     * @throws IllegalArgumentException if the body is declared JSON but is not (or is nested deeper than
     *     {@link JsonNesting#MAX_DEPTH}), or declared text but is not UTF-8
     */
    public InboundBody inbound(byte[] body, String contentType) {
        String type = contentType == null ? null : contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        boolean declaredText = type != null && (type.startsWith("text/") || isJson(type));
        if (type != null && !declaredText) {
            return new InboundBody.Binary(body, contentType);
        }
        String text = utf8(body);
        if (text == null) {
            if (declaredText) {
                throw new IllegalArgumentException("the body is declared " + contentType + " but is not UTF-8");
            }
            return new InboundBody.Binary(body, OCTET_STREAM);
        }
        if (type != null && isJson(type)) {
            if (JsonNesting.tooDeep(text)) {
                throw new IllegalArgumentException("the body is declared " + contentType + " but is "
                        + JsonNesting.TOO_DEEP);
            }
            try {
                return new InboundBody.Json(jsonb.toJson(jsonb.fromJson(text, JsonValue.class)));
            } catch (JsonbException e) {
                throw new IllegalArgumentException("the body is declared " + contentType + " but is not valid JSON");
            }
        }
        return new InboundBody.Json(jsonb.toJson(text));
    }

    /** The payload as JSON, whatever the body: binary bodies become a base64 JSON string. */
    public String toDataJson(InboundBody body) {
        return body instanceof InboundBody.Json json ? json.dataJson()
                : jsonb.toJson(java.util.Base64.getEncoder().encodeToString(((InboundBody.Binary) body).bytes()));
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isJson(String type) {
        return type.equals(JSON) || type.endsWith("+json");
    }
}
