package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
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

    private final Jsonb jsonb;
    /** The shared encoder a {@link Delivery} caches its native frame under (encode once per message). */
    private final Function<Delivery, String> messageEncoder = this::encodeMessage;

    public NativeFrameCodec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    public Decoded decodeClientFrame(String text) {
        try {
            ClientFrame frame = jsonb.fromJson(text, ClientFrame.class);
            if (frame == null) {
                return new Decoded.Malformed("frame must be a JSON object", null);
            }
            return new Decoded.Frame(frame);
        } catch (JsonbException | ClassCastException e) {
            return diagnose(text);
        }
    }

    /** Works out, for the error frame, what was wrong with a frame JSON-B could not map. */
    private Decoded diagnose(String text) {
        JsonValue value;
        try {
            value = jsonb.fromJson(text, JsonValue.class);
        } catch (JsonbException e) {
            return new Decoded.Malformed("malformed JSON", null);
        }
        if (!(value instanceof JsonObject object)) {
            return new Decoded.Malformed("frame must be a JSON object", null);
        }
        JsonValue type = object.get("type");
        if (!(type instanceof JsonString typeName)) {
            return new Decoded.Malformed("frame has no string field 'type'", null);
        }
        JsonValue topic = object.get("topic");
        ServerFrame.Ref ref = new ServerFrame.Ref(typeName.getString(),
                topic instanceof JsonString t ? t.getString() : null);
        if (!ClientFrame.TYPES.contains(typeName.getString())) {
            return new Decoded.Malformed("unknown frame type", ref);
        }
        return new Decoded.Malformed("malformed '" + typeName.getString() + "' frame: a field has the wrong type",
                ref);
    }

    public String encode(ServerFrame frame) {
        return jsonb.toJson(frame); // by runtime type: Yasson writes {} for the sealed parent type
    }

    public String encode(ClientFrame frame) {
        return jsonb.toJson(frame);
    }

    /** Decodes a server frame (for clients); throws {@link JsonbException} if it is not one. */
    public ServerFrame decodeServerFrame(String text) {
        return jsonb.fromJson(text, ServerFrame.class);
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
