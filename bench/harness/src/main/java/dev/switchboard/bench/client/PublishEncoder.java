package dev.switchboard.bench.client;

/**
 * Builds a publication's payload in place: the data is {@code {"t": <intended send time, µs of
 * System.nanoTime>, "seq": <n>}}, so every receiver in this process can compute the latency from
 * the intended send time and check the sequence without parsing JSON.
 */
final class PublishEncoder {

    private final byte[] prefix;
    private final byte[] middle = Ascii.bytes(",\"seq\":");
    private final byte[] suffix;

    PublishEncoder(Protocol protocol, String topic) {
        if (protocol == Protocol.NATIVE) {
            prefix = Ascii.bytes("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"t\":");
            suffix = Ascii.bytes("}}");
        } else if (protocol == Protocol.SOCKETIO) {
            prefix = Ascii.bytes("42[\"publish\",\"" + topic + "\",{\"t\":");
            suffix = Ascii.bytes("}]");
        } else {
            prefix = Ascii.bytes("SEND\ndestination:/topic/" + topic + "\ncontent-type:application/json\n\n{\"t\":");
            suffix = Ascii.bytes("}\0");
        }
    }

    int maxLength() {
        return prefix.length + middle.length + suffix.length + 40;
    }

    /** Writes the payload into {@code out} from 0 and returns its length. */
    int encode(byte[] out, long intendedMicros, long seq) {
        int at = Ascii.put(out, 0, prefix);
        at = Ascii.putLong(out, at, intendedMicros);
        at = Ascii.put(out, at, middle);
        at = Ascii.putLong(out, at, seq);
        return Ascii.put(out, at, suffix);
    }
}
