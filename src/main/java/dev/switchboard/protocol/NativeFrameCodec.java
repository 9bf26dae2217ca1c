package dev.switchboard.protocol;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;

/**
 * JSON text to and from native frames (docs/protocol.md), through one shared (thread-safe)
 * {@link Jsonb}. Used by the server's Encoder/Decoder and by the Java client alike; the server
 * builds its {@code message} frames from broker deliveries on top of it
 * ({@code dev.switchboard.session.NativeDeliveryEncoder}). Thread-safe.
 */
public final class NativeFrameCodec {

    /** The outcome of decoding a client frame: a frame, or why the text is not one. */
    public sealed interface Decoded {
        record Frame(ClientFrame frame) implements Decoded {
        }

        /**
         * Text over the message size limit that the WebSocket container delivered anyway (Tyrus
         * does not apply {@code setMaxTextMessageBufferSize} to whole messages): the session
         * closes with 1009 as docs/protocol.md, Bad input, says, as the other containers do themselves.
         */
        record TooBig(int bytes, int limit) implements Decoded {
        }

        record Malformed(String message, ServerFrame.Ref ref) implements Decoded {
        }
    }

    private static final Map<String, Class<? extends ClientFrame>> CLIENT_FRAME_TYPES = frameTypes(ClientFrame.class);
    private static final Map<String, Class<? extends ServerFrame>> SERVER_FRAME_TYPES = frameTypes(ServerFrame.class);

    private final Jsonb jsonb;
    private final JsonParserFactory parsers = Json.createParserFactory(Map.of());

    public NativeFrameCodec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /**
     * Decodes a client frame. Reads the {@code type} first, then maps the text onto that record:
     * Yasson 3.0's own polymorphic path fails on scalar or array {@code data} values.
     *
     * <p>Never throws for any text: what is not a frame is {@link Decoded.Malformed}, including
     * JSON nested deeper than {@link JsonNesting#MAX_DEPTH} (checked before parsing, see there).
     */
    public Decoded decodeClientFrame(String text) {
        if (JsonNesting.tooDeep(text)) {
            return new Decoded.Malformed(JsonNesting.TOO_DEEP, null);
        }
        JsonValue value = parseWhole(text);
        if (value == null) {
            return new Decoded.Malformed("malformed JSON", null);
        }
        if (!(value instanceof JsonObject object)) {
            return new Decoded.Malformed("frame must be a JSON object", null);
        }
        if (!(object.get("type") instanceof JsonString typeName)) {
            return new Decoded.Malformed("frame has no string field 'type'", null);
        }
        ServerFrame.Ref ref = new ServerFrame.Ref(typeName.getString(),
                object.get("topic") instanceof JsonString topic ? topic.getString() : null);
        Class<? extends ClientFrame> frameClass = CLIENT_FRAME_TYPES.get(typeName.getString());
        if (frameClass == null) {
            return new Decoded.Malformed("unknown frame type", ref);
        }
        String wrongField = firstWronglyTypedField(object, frameClass);
        if (wrongField != null) {
            return new Decoded.Malformed("malformed '" + typeName.getString() + "' frame: field '" + wrongField
                    + "' has the wrong type", ref);
        }
        try {
            return new Decoded.Frame(jsonb.fromJson(text, frameClass));
        } catch (JsonbException e) {
            return new Decoded.Malformed("malformed '" + typeName.getString() + "' frame: a field has the wrong type",
                    ref);
        }
    }

    /**
     * The JSON value of the whole text, or null if it is not exactly one JSON value (JSON-B and
     * JSON-P readers both ignore trailing text; a frame with trailing text is malformed).
     */
    private JsonValue parseWhole(String text) {
        try (JsonParser parser = parsers.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                return null;
            }
            parser.next();
            JsonValue value = parser.getValue();
            return parser.hasNext() ? null : value;
        } catch (JsonException e) {
            return null;
        }
    }

    /**
     * The first field whose JSON type does not match the record component's Java type, or null.
     * JSON-B would quietly turn {@code "topic": 5} into {@code "5"}; the protocol wants an error.
     */
    private static String firstWronglyTypedField(JsonObject object, Class<?> recordClass) {
        for (RecordComponent component : recordClass.getRecordComponents()) {
            JsonValue value = object.get(component.getName());
            if (value == null || value == JsonValue.NULL) {
                continue;
            }
            Class<?> type = component.getType();
            boolean fits;
            if (type == String.class) {
                fits = value instanceof JsonString;
            } else if (type == Long.class || type == long.class) {
                fits = value instanceof JsonNumber number && number.isIntegral();
            } else if (type.isRecord()) {
                fits = value instanceof JsonObject nested && firstWronglyTypedField(nested, type) == null;
            } else {
                fits = true; // JsonValue: any JSON
            }
            if (!fits) {
                return component.getName();
            }
        }
        return null;
    }

    public String encode(ServerFrame frame) {
        return jsonb.toJson(frame); // by runtime type: Yasson writes {} for the sealed parent type
    }

    public String encode(ClientFrame frame) {
        return jsonb.toJson(frame);
    }

    /** Decodes a server frame (for clients); throws {@link JsonbException} if it is not one. */
    public ServerFrame decodeServerFrame(String text) {
        JsonObject object = jsonb.fromJson(text, JsonObject.class);
        Class<? extends ServerFrame> frameClass = object == null ? null : SERVER_FRAME_TYPES.get(object.getString("type", ""));
        if (frameClass == null) {
            throw new JsonbException("not a server frame: unknown or missing type");
        }
        return jsonb.fromJson(text, frameClass);
    }

    /** The {@code type} names of a frame family, read from its {@link JsonbTypeInfo} (the one source of them). */
    @SuppressWarnings("unchecked")
    private static <T> Map<String, Class<? extends T>> frameTypes(Class<T> family) {
        Map<String, Class<? extends T>> types = new HashMap<>();
        for (JsonbSubtype subtype : family.getAnnotation(JsonbTypeInfo.class).value()) {
            types.put(subtype.alias(), (Class<? extends T>) subtype.type());
        }
        return Map.copyOf(types);
    }

    /** Parses JSON text into a value; used for payloads the broker carries as text. */
    public JsonValue parse(String json) {
        return jsonb.fromJson(json, JsonValue.class);
    }

    /** JSON text of a payload value ({@code null} means JSON null). */
    public String toJson(JsonValue value) {
        return value == null ? "null" : jsonb.toJson(value);
    }
}
