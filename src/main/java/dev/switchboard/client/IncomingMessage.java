package dev.switchboard.client;

import dev.switchboard.protocol.ServerFrame;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import java.time.Instant;

/**
 * A {@code message} frame delivered to the listener (docs/protocol.md, Server frames). Exactly one of
 * {@link #topic()}, {@link #user()}, {@link #channel()} is non-null, or {@link #isBroadcast()} is
 * true. Immutable and safe to hand to other threads.
 */
public final class IncomingMessage {

    private final ServerFrame.Message frame;
    private final Jsonb jsonb;

    IncomingMessage(ServerFrame.Message frame, Jsonb jsonb) {
        this.frame = frame;
        this.jsonb = jsonb;
    }

    /** The message id, unique per message; the same on a redelivery. */
    public String id() { return frame.id(); }

    /** The topic it was published to, or null. */
    public String topic() { return frame.topic(); }

    /** The user it was pushed to, or null. */
    public String user() { return frame.user(); }

    /** The channel it was pushed to, or null. */
    public String channel() { return frame.channel(); }

    /** Whether it was broadcast to every session. */
    public boolean isBroadcast() { return Boolean.TRUE.equals(frame.broadcast()); }

    /** For user messages, the destination name it was pushed to, or null. */
    public String destination() { return frame.destination(); }

    /** The topic offset (increasing by one per topic within an epoch); 0 for other messages. */
    public long offset() { return frame.offset() == null ? 0 : frame.offset(); }

    /** The topic epoch; null for other messages. */
    public String epoch() { return frame.epoch(); }

    /** When the server accepted it. */
    public Instant timestamp() { return Instant.ofEpochMilli(frame.ts()); }

    /**
     * Whether the server wants an ack: the client sends it once the listener's
     * {@code onMessage} returned normally.
     */
    public boolean ackRequired() { return Boolean.TRUE.equals(frame.ack()); }

    /**
     * The payload as JSON ({@link JsonValue#NULL} for none). A binary payload published over STOMP
     * is a base64 string, see {@link #encoding()}.
     */
    public JsonValue data() { return frame.data() == null ? JsonValue.NULL : frame.data(); }

    /** The payload mapped to {@code type} with JSON-B (the client's {@code Jsonb}). */
    public <T> T dataAs(Class<T> type) {
        return jsonb.fromJson(jsonb.toJson(data()), type);
    }

    /** {@code base64} for a binary payload, else null. */
    public String encoding() { return frame.encoding(); }

    /** The content type of a binary payload, else null. */
    public String contentType() { return frame.contentType(); }

    @Override
    public String toString() {
        // no payload: messages end up in logs
        return "IncomingMessage[id=" + id() + ", topic=" + topic() + ", user=" + user() + ", channel=" + channel()
                + ", offset=" + offset() + ", epoch=" + epoch() + ", ack=" + ackRequired() + "]";
    }
}
