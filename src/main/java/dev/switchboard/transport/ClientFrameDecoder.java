package dev.switchboard.transport;

import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.session.TextFrame;
import jakarta.websocket.Decoder;

/**
 * JSON-B decoder of one session's native client frames, fed the parts of each text message as the
 * container reads them. Never fails: text that is not a valid frame decodes to
 * {@link NativeFrameCodec.Decoded.Malformed}, which the session answers with an {@code error} frame
 * while staying open (docs/protocol.md, Bad input), and a message over the size limit to
 * {@link NativeFrameCodec.Decoded.TooBig} as soon as it crosses the limit (the session closes with 1009).
 *
 * <p>Why parts and not whole messages: a container buffers a whole message in a buffer of the
 * session's maximum message size, allocated for good on the first message (Tomcat: 64 Ki chars,
 * 128 KB per session for the default limit). Taking parts, the container keeps its small default
 * buffer; a message that fits in one part (nearly all) is decoded without a copy, and only a longer
 * one is joined here. The container cannot apply a {@link Decoder} to parts, so the endpoint calls
 * this one itself.
 *
 * <p>Not thread-safe: JSR 356 delivers one session's messages one at a time.
 */
final class ClientFrameDecoder implements Decoder.Text<NativeFrameCodec.Decoded> {

    private final NativeFrameCodec codec;
    private final int maxMessageBytes;
    /** The parts so far of a message that came in more than one; null otherwise. */
    private StringBuilder joined;
    /** UTF-8 bytes of {@link #joined}. */
    private long joinedBytes;
    /** The current message went over the limit: its remaining parts are dropped. */
    private boolean skipping;

    ClientFrameDecoder(NativeFrameCodec codec, int maxMessageBytes) {
        this.codec = codec;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Takes the next part of a text message. Returns the decoded frame after the last part, TooBig
     * once when the message crosses the limit, and null otherwise (more parts to come, or the rest
     * of a message already refused).
     */
    NativeFrameCodec.Decoded decodePart(String part, boolean last) {
        if (skipping) {
            skipping = !last;
            return null;
        }
        if (joined == null && last) {
            return decode(part); // the usual case: a whole message in one part
        }
        if (joined == null) {
            joined = new StringBuilder(part.length() * 2);
            joinedBytes = 0;
        }
        joinedBytes += TextFrame.utf8Bytes(part);
        if (!part.isEmpty() && Character.isLowSurrogate(part.charAt(0)) && !joined.isEmpty()
                && Character.isHighSurrogate(joined.charAt(joined.length() - 1))) {
            // A part may end inside a surrogate pair: its halves were counted 3 bytes each, the pair is 4.
            joinedBytes -= 2;
        }
        joined.append(part);
        if (joinedBytes > maxMessageBytes) {
            joined = null;
            skipping = !last;
            return new NativeFrameCodec.Decoded.TooBig((int) Math.min(joinedBytes, Integer.MAX_VALUE), maxMessageBytes);
        }
        if (!last) {
            return null;
        }
        String text = joined.toString();
        joined = null;
        return codec.decodeClientFrame(text);
    }

    @Override
    public NativeFrameCodec.Decoded decode(String text) {
        if (exceedsLimit(text)) {
            return new NativeFrameCodec.Decoded.TooBig((int) Math.min(TextFrame.utf8Bytes(text), Integer.MAX_VALUE),
                    maxMessageBytes);
        }
        return codec.decodeClientFrame(text);
    }

    @Override
    public boolean willDecode(String text) {
        return true;
    }

    /** A char takes 1 to 3 bytes in UTF-8 (a surrogate pair 4 for 2): the length alone settles most texts. */
    private boolean exceedsLimit(String text) {
        if (text.length() > maxMessageBytes) {
            return true;
        }
        return (long) text.length() * 3 > maxMessageBytes && TextFrame.utf8Bytes(text) > maxMessageBytes;
    }
}
