package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.protocol.ServerFrame;
import jakarta.json.JsonValue;
import java.util.function.Function;

/**
 * A broker {@link Delivery} as the native {@code message} frame (docs/protocol.md, Server frames),
 * encoded once per delivery and shared by every recipient's queue (docs/architecture.md,
 * Principles: the hot path). The server side of {@link NativeFrameCodec}: the codec knows frames,
 * this knows deliveries, so the wire package (and the Java client built on it) needs nothing of the
 * broker. Thread-safe.
 */
public final class NativeDeliveryEncoder {

    private final NativeFrameCodec codec;
    /** The shared encoder a {@link Delivery} caches its native frame under (encode once per message). */
    private final Function<Delivery, TextFrame> messageEncoder = delivery -> TextFrame.of(encodeMessage(delivery));

    public NativeDeliveryEncoder(NativeFrameCodec codec) {
        this.codec = codec;
    }

    /** A delivery as a native {@code message} frame, computed once per delivery and shared. */
    public String encode(Delivery delivery) {
        return frame(delivery).text();
    }

    /** {@link #encode} with its UTF-8 length, as queued for every recipient. */
    TextFrame frame(Delivery delivery) {
        return delivery.encoded(messageEncoder);
    }

    private String encodeMessage(Delivery d) {
        JsonValue data = codec.parse(d.dataJson());
        ServerFrame.Message message = switch (d.target()) {
            case TOPIC -> new ServerFrame.Message(d.id(), d.address(), null, null, null, null, d.offset(), d.epoch(),
                    data, d.timestamp().toEpochMilli(), ack(d), d.contentType(), encoding(d));
            case USER -> new ServerFrame.Message(d.id(), null, d.address(), null, null, d.destination(), null, null,
                    data, d.timestamp().toEpochMilli(), ack(d), d.contentType(), encoding(d));
            case CHANNEL -> new ServerFrame.Message(d.id(), null, null, d.address(), null, null, null, null, data,
                    d.timestamp().toEpochMilli(), ack(d), d.contentType(), encoding(d));
            case BROADCAST -> new ServerFrame.Message(d.id(), null, null, null, true, null, null, null, data,
                    d.timestamp().toEpochMilli(), ack(d), d.contentType(), encoding(d));
        };
        return codec.encode(message);
    }

    private static String encoding(Delivery delivery) {
        return delivery.isBinary() ? "base64" : null;
    }

    private static Boolean ack(Delivery delivery) {
        return delivery.ackRequired() ? Boolean.TRUE : null;
    }
}
