package dev.switchboard.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;

/**
 * One message on its way to sessions. Immutable apart from a cache of its wire encodings: a
 * delivery fanned out to many sessions is encoded once per wire format and the result shared
 * (docs/architecture.md, Principles: the hot path).
 *
 * <p>{@code dataJson} is the payload as JSON text; the broker never parses it. Topic deliveries
 * carry an offset and epoch; other kinds carry {@code 0} and {@code null}. A binary payload
 * (published from STOMP with a non-text content type) keeps its bytes and content type for
 * protocols that can carry them; its {@code dataJson} is then the bytes in base64, as a JSON string.
 */
public final class Delivery {

    /** What a delivery was addressed to. */
    public enum Target { TOPIC, USER, CHANNEL, BROADCAST }

    private final String id;
    private final Target target;
    private final String address;
    private final String destination;
    private final long offset;
    private final String epoch;
    private final String dataJson;
    private final Instant timestamp;
    private final boolean ackRequired;
    private final byte[] binary;
    private final String contentType;
    /**
     * Encodings computed so far, as pairs (encoder, value). Copy-on-write: readers never lock;
     * a delivery has one or two encodings (one per wire format), and it may sit in a topic's
     * history for a long time, so this is much smaller than a map.
     */
    private volatile Object[] encodings = NO_ENCODINGS;
    private static final Object[] NO_ENCODINGS = new Object[0];

    private Delivery(String id, Target target, String address, String destination, long offset,
            String epoch, String dataJson, Instant timestamp, boolean ackRequired, byte[] binary, String contentType) {
        this.id = Objects.requireNonNull(id);
        this.target = Objects.requireNonNull(target);
        this.address = address;
        this.destination = destination;
        this.offset = offset;
        this.epoch = epoch;
        this.dataJson = Objects.requireNonNull(dataJson);
        this.timestamp = Objects.requireNonNull(timestamp);
        this.ackRequired = ackRequired;
        this.binary = binary;
        this.contentType = contentType;
    }

    static Delivery toTopic(String id, String topic, long offset, String epoch, String dataJson, Instant ts) {
        return new Delivery(id, Target.TOPIC, topic, null, offset, epoch, dataJson, ts, false, null, null);
    }

    static Delivery toTopicBinary(String id, String topic, long offset, String epoch, byte[] binary,
            String contentType, Instant ts) {
        String base64 = "\"" + java.util.Base64.getEncoder().encodeToString(binary) + "\""; // base64 needs no JSON escaping
        return new Delivery(id, Target.TOPIC, topic, null, offset, epoch, base64, ts, false, binary.clone(), contentType);
    }

    static Delivery toUser(String id, String user, String destination, String dataJson, Instant ts, boolean ack) {
        return new Delivery(id, Target.USER, user, destination, 0, null, dataJson, ts, ack, null, null);
    }

    static Delivery toChannel(String id, String channelId, String dataJson, Instant ts, boolean ack) {
        return new Delivery(id, Target.CHANNEL, channelId, null, 0, null, dataJson, ts, ack, null, null);
    }

    static Delivery toEveryone(String id, String dataJson, Instant ts) {
        return new Delivery(id, Target.BROADCAST, null, null, 0, null, dataJson, ts, false, null, null);
    }

    /**
     * A delivery with every field given: for implementations that carry deliveries between
     * processes (a cluster bus, a shared topic log or inbox) and must make them again on arrival.
     * {@code binary} and {@code contentType} are both null for a JSON payload.
     */
    public static Delivery of(String id, Target target, String address, String destination, long offset,
            String epoch, String dataJson, Instant timestamp, boolean ackRequired, byte[] binary, String contentType) {
        return new Delivery(id, target, address, destination, offset, epoch, dataJson, timestamp, ackRequired,
                binary == null ? null : binary.clone(), contentType);
    }

    /** This topic delivery at a position in its topic (without cached encodings). */
    public Delivery at(long offset, String epoch) {
        return new Delivery(id, target, address, destination, offset, epoch, dataJson, timestamp, ackRequired, binary,
                contentType);
    }

    /**
     * This delivery without its cached encodings, sharing the payload: what a topic's history keeps,
     * so that the frames encoded for the live fan-out do not stay in memory as long as the history
     * (they would about double each entry, uncounted by the {@link MemoryBudget}).
     */
    Delivery withoutEncodings() {
        return new Delivery(id, target, address, destination, offset, epoch, dataJson, timestamp, ackRequired, binary,
                contentType);
    }

    public String id() { return id; }

    public Target target() { return target; }

    /** The topic name, user id or channel id this was sent to; {@code null} for a broadcast. */
    public String address() { return address; }

    /** For user deliveries, the optional destination name (STOMP {@code /user/queue/<destination>}); else null. */
    public String destination() { return destination; }

    /** Topic offset (increasing per topic, from 1); 0 for non-topic deliveries. */
    public long offset() { return offset; }

    /** Where this topic delivery lies in its topic. */
    public StreamPosition position() { return new StreamPosition(offset, epoch); }

    /** Topic epoch; null for non-topic deliveries. */
    public String epoch() { return epoch; }

    /** The payload as JSON text. */
    public String dataJson() { return dataJson; }

    /** When the broker accepted the message. */
    public Instant timestamp() { return timestamp; }

    /** Whether the payload is binary (see {@link #binaryBody()}). */
    public boolean isBinary() { return binary != null; }

    /** The binary payload's bytes (do not modify), or null for a JSON payload. */
    public byte[] binaryBody() { return binary; }

    /** The binary payload's content type, or null for a JSON payload. */
    public String contentType() { return contentType; }

    /** Whether the recipient must acknowledge it. */
    public boolean ackRequired() { return ackRequired; }

    /**
     * Returns this delivery encoded by {@code encoder}, computing it at most once per encoder
     * (a racing second computation is discarded). Encoders must be pure and shared constants.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Function<Delivery, T> encoder) {
        Object cached = cachedEncoding(encodings, encoder);
        if (cached != null) {
            return (T) cached;
        }
        T value = encoder.apply(this);
        synchronized (this) {
            Object[] current = encodings;
            Object raced = cachedEncoding(current, encoder);
            if (raced != null) {
                return (T) raced;
            }
            Object[] next = java.util.Arrays.copyOf(current, current.length + 2);
            next[current.length] = encoder;
            next[current.length + 1] = value;
            encodings = next;
        }
        return value;
    }

    private static Object cachedEncoding(Object[] encodings, Function<Delivery, ?> encoder) {
        for (int i = 0; i < encodings.length; i += 2) {
            if (encodings[i] == encoder) {
                return encodings[i + 1];
            }
        }
        return null;
    }
}
