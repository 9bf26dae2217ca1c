package dev.switchboard.cluster;

import dev.switchboard.broker.Delivery;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import java.time.Instant;
import java.util.Base64;

/**
 * A {@link Delivery} as the text that crosses Redis (pub/sub messages, stream entries, inbox
 * entries): JSON through JSON-B, every field kept, so the delivery made again on another node is
 * equal to the one sent. The payload travels as its JSON text in a string field, unparsed. Thread
 * safe (as {@link Jsonb} is).
 */
final class DeliveryCodec {

    /** The wire shape; field names are short because every message carries them. Public for JSON-B. */
    public static final class Wire {
        public String id;
        public String t;
        public String to;
        public String dst;
        public long off;
        public String ep;
        public String data;
        public String ts;
        public boolean ack;
        public String bin;
        public String ct;
    }

    private final Jsonb jsonb;

    DeliveryCodec(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    String encode(Delivery delivery) {
        Wire wire = new Wire();
        wire.id = delivery.id();
        wire.t = delivery.target().name();
        wire.to = delivery.address();
        wire.dst = delivery.destination();
        wire.off = delivery.offset();
        wire.ep = delivery.epoch();
        wire.data = delivery.isBinary() ? null : delivery.dataJson();
        wire.ts = delivery.timestamp().toString();
        wire.ack = delivery.ackRequired();
        wire.bin = delivery.isBinary() ? Base64.getEncoder().encodeToString(delivery.binaryBody()) : null;
        wire.ct = delivery.contentType();
        return jsonb.toJson(wire);
    }

    /**
     * The delivery encoded in {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is not an encoded delivery
     */
    Delivery decode(String text) {
        Wire wire;
        try {
            wire = jsonb.fromJson(text, Wire.class);
        } catch (JsonbException e) {
            throw new IllegalArgumentException("not an encoded delivery: " + e.getMessage(), e);
        }
        if (wire == null || wire.id == null || wire.t == null || wire.ts == null
                || (wire.data == null) == (wire.bin == null)) {
            throw new IllegalArgumentException("not an encoded delivery: a field is missing");
        }
        Delivery.Target target = Delivery.Target.valueOf(wire.t);
        Instant timestamp = Instant.parse(wire.ts);
        if (wire.bin != null) {
            byte[] body = Base64.getDecoder().decode(wire.bin);
            String base64 = "\"" + wire.bin + "\"";
            return Delivery.of(wire.id, target, wire.to, wire.dst, wire.off, wire.ep, base64, timestamp, wire.ack,
                    body, wire.ct);
        }
        return Delivery.of(wire.id, target, wire.to, wire.dst, wire.off, wire.ep, wire.data, timestamp, wire.ack,
                null, null);
    }
}
