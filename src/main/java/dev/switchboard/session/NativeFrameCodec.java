package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON text to and from native frames, through one shared (thread-safe) {@link Jsonb}. Used by the
 * server's Encoder/Decoder and by the Java client alike.
 */
public final class NativeFrameCodec {

    /** The outcome of decoding a client frame: a frame, or why the text is not one. */
    public sealed interface Decoded {
        record Frame(ClientFrame frame) implements Decoded {
        }

        record Malformed(String message, ServerFrame.Ref ref) implements Decoded {
        }
    }

    private static final Map<String, Class<? extends ClientFrame>> CLIENT_FRAME_TYPES = frameTypes(ClientFrame.class);
    private static final Map<String, Class<? extends ServerFrame>> SERVER_FRAME_TYPES = frameTypes(ServerFrame.class);

    private final Jsonb jsonb;
    /** The shared encoder a {@link Delivery} caches its native frame under (encode once per message). */
    private final Function<Delivery, String> messageEncoder = this::encodeMessage;

    public NativeFrameCodec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /**
     * Decodes a client frame. Reads the {@code type} first, then maps the text onto that record:
     * Yasson 3.0's own polymorphic path fails on scalar or array {@code data} values.
     */
    public Decoded decodeClientFrame(String text) {
        JsonValue value;
        try {
            value = jsonb.fromJson(text, JsonValue.class);
        } catch (JsonbException e) {
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
        try {
            return new Decoded.Frame(jsonb.fromJson(text, frameClass));
        } catch (JsonbException e) {
            return new Decoded.Malformed("malformed '" + typeName.getString() + "' frame: a field has the wrong type",
                    ref);
        }
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

    /** A delivery as a native {@code message} frame, computed once per delivery and shared. */
    public String encodeDelivery(Delivery delivery) {
        return delivery.encoded(messageEncoder);
    }

    /** Parses JSON text into a value; used for payloads the broker carries as text. */
    public JsonValue parse(String json) {
        return jsonb.fromJson(json, JsonValue.class);
    }

    /** JSON text of a payload value ({@code null} means JSON null). */
    public String toJson(JsonValue value) {
        return value == null ? "null" : jsonb.toJson(value);
    }

    private String encodeMessage(Delivery d) {
        JsonValue data = parse(d.dataJson());
        ServerFrame.Message message = switch (d.target()) {
            case TOPIC -> new ServerFrame.Message(d.id(), d.address(), null, null, null, null, d.offset(), d.epoch(),
                    data, d.timestamp().toEpochMilli(), ack(d));
            case USER -> new ServerFrame.Message(d.id(), null, d.address(), null, null, d.destination(), null, null,
                    data, d.timestamp().toEpochMilli(), ack(d));
            case CHANNEL -> new ServerFrame.Message(d.id(), null, null, d.address(), null, null, null, null, data,
                    d.timestamp().toEpochMilli(), ack(d));
            case BROADCAST -> new ServerFrame.Message(d.id(), null, null, null, true, null, null, null, data,
                    d.timestamp().toEpochMilli(), ack(d));
        };
        return encode(message);
    }

    private static Boolean ack(Delivery delivery) {
        return delivery.ackRequired() ? Boolean.TRUE : null;
    }
}
