package dev.switchboard.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of {@link StompDecoder} (docs/fuzzing.md). In a plain {@code mvn test}
 * each method runs once per kept input in {@code StompDecoderFuzzTestInputs/<method>/}; with
 * {@code -Pfuzz} Jazzer mutates inputs for as long as it is told.
 *
 * <p>Input layout: byte 0 picks the decoder's version (bits 6-7) and the largest chunk (bits 0-5),
 * byte 1 seeds the chunk sizes, the rest is the byte stream of one connection. Small limits, so
 * that the fuzzer reaches them. No dictionary entry holds a CR or LF: Jazzer 0.24 writes those
 * to its dictionary file unescaped, and libFuzzer then refuses the whole file.
 */
@Tag("fuzz")
class StompDecoderFuzzTest {

    private static final StompLimits LIMITS = new StompLimits(512, 6, 96);
    private static final StompLimits ROOMY = new StompLimits(64 * 1024, 64, 8 * 1024);
    private static final StompVersion[] VERSIONS = {StompVersion.V1_2, StompVersion.V1_1, StompVersion.V1_0,
        StompVersion.V1_2};

    /**
     * Whatever the bytes and however they are split into messages: the decoder returns a result
     * (never throws), every frame is within the limits, the split does not change the frames or
     * whether the stream failed, and after an error it only repeats that error.
     */
    @FuzzTest
    @DictionaryEntries({"CONNECT", "STOMP", "SEND", "SUBSCRIBE", "MESSAGE", "ACK", "content-length:",
        "content-type:", "destination:", "accept-version:1.2", "\\c", "\\n", "\\r", "\\\\", "\u0000"})
    void decodesOrReportsAnErrorWhateverTheSplit(byte[] input) {
        if (input.length < 2) {
            return;
        }
        StompVersion version = VERSIONS[(input[0] >> 6) & 3];
        int maxChunk = (input[0] & 0x3f) + 1;
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);

        Decoded whole = decode(version, List.of(stream));
        Decoded split = decode(version, chunks(stream, maxChunk, input[1]));

        assertThat(split.frames).as("frames, split vs whole").isEqualTo(whole.frames);
        assertThat(split.error != null).as("split failed: %s, whole failed: %s", split.error, whole.error)
                .isEqualTo(whole.error != null);
        if (whole.error == null) {
            assertThat(split.heartbeats).isEqualTo(whole.heartbeats);
        } else {
            assertThat(whole.error).isNotBlank().matches("[\\x20-\\x7e]*"); // a safe ERROR header value
        }
        for (StompFrame frame : whole.frames) {
            assertWithinLimits(frame);
        }
    }

    /**
     * STOMP 1.2: a decoded frame, encoded again, decodes to the same frame. The encoder adds a
     * content-length to a non-empty body that had none, and refuses (with the documented
     * IllegalArgumentException) a carriage return inside an unescaped CONNECT/STOMP/CONNECTED header
     * name or value.
     */
    @FuzzTest
    @DictionaryEntries({"CONNECT", "CONNECTED", "SEND", "MESSAGE", "content-length:", "\\c", "\\n",
        "\\r", "\\\\", "\u0000"})
    void reEncodingADecodedFrameDecodesToTheSameFrame(byte[] input) {
        Decoded decoded = decode(StompVersion.V1_2, List.of(input));
        for (StompFrame frame : decoded.frames) {
            byte[] encoded;
            try {
                encoded = StompEncoder.encode(frame, StompVersion.V1_2);
            } catch (IllegalArgumentException e) {
                assertThat(frame.command().escapesHeaders()).as("%s refused: %s", frame, e.getMessage()).isFalse();
                // The decoder keeps a CR that does not end a line, in names as in values.
                assertThat(frame.headers().entries()).as("refused: %s", e.getMessage())
                        .anyMatch(header -> header.getKey().contains("\r") || header.getValue().contains("\r"));
                continue;
            }
            StompDecoder again = new StompDecoder(ROOMY);
            StompDecoder.Result result = again.decode(ByteBuffer.wrap(encoded));

            assertThat(result.error()).as("re-decoding %s", frame).isNull();
            assertThat(result.frames()).as("re-decoding %s", frame).containsExactly(withAddedContentLength(frame));
        }
    }

    private static StompFrame withAddedContentLength(StompFrame frame) {
        if (frame.body().length == 0 || frame.header("content-length") != null) {
            return frame;
        }
        return new StompFrame(frame.command(),
                frame.headers().toBuilder().add("content-length", Integer.toString(frame.body().length)).build(),
                frame.body());
    }

    private static void assertWithinLimits(StompFrame frame) {
        // Unescaping only shortens, so sizes counted on the decoded frame are at most its wire size.
        long size = frame.command().name().length() + 1L + 1 + frame.body().length + 1;
        assertThat(frame.headers().size()).isLessThanOrEqualTo(LIMITS.maxHeaders());
        for (Map.Entry<String, String> header : frame.headers().entries()) {
            int line = utf8(header.getKey()) + 1 + utf8(header.getValue());
            assertThat(line).as("header line of %s", frame).isLessThanOrEqualTo(LIMITS.maxHeaderLineBytes());
            assertThat(header.getKey()).isNotEmpty();
            size += line + 1;
        }
        assertThat(size).as("size of %s", frame).isLessThanOrEqualTo(LIMITS.maxFrameBytes());
        String contentLength = frame.header("content-length");
        if (contentLength != null) {
            assertThat(Integer.parseInt(contentLength)).isEqualTo(frame.body().length); // "03" is valid too
        } else {
            assertThat(frame.body()).doesNotContain((byte) 0);
        }
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Decodes the messages in order, stopping at the first error, which must then repeat itself. */
    private static Decoded decode(StompVersion version, List<byte[]> messages) {
        StompDecoder decoder = new StompDecoder(LIMITS);
        decoder.version(version);
        List<StompFrame> frames = new ArrayList<>();
        int heartbeats = 0;
        int index = 0;
        for (byte[] message : messages) {
            ByteBuffer buffer = buffer(message, index++);
            StompDecoder.Result result = decoder.decode(buffer);
            assertThat(buffer.hasRemaining()).as("the decoder consumes every byte").isFalse();
            frames.addAll(result.frames());
            heartbeats += result.heartbeats();
            if (result.error() != null) {
                StompDecoder.Result after = decoder.decode(ByteBuffer.wrap("SEND\n\n\0".getBytes(StandardCharsets.US_ASCII)));
                assertThat(after.error()).isEqualTo(result.error());
                assertThat(after.frames()).isEmpty();
                return new Decoded(frames, heartbeats, result.error());
            }
        }
        return new Decoded(frames, heartbeats, null);
    }

    /**
     * The message as the container may hand it over: a heap buffer (parsed in place), a slice of a
     * larger array (an array offset), or a direct buffer (always copied).
     */
    private static ByteBuffer buffer(byte[] message, int index) {
        switch (index % 3) {
            case 1 -> {
                byte[] padded = new byte[message.length + 6];
                System.arraycopy(message, 0, padded, 3, message.length);
                return ByteBuffer.wrap(padded, 3, message.length).slice();
            }
            case 2 -> {
                ByteBuffer direct = ByteBuffer.allocateDirect(message.length);
                direct.put(message).flip();
                return direct;
            }
            default -> {
                return ByteBuffer.wrap(message);
            }
        }
    }

    private static List<byte[]> chunks(byte[] stream, int maxChunk, byte seed) {
        List<byte[]> chunks = new ArrayList<>();
        int state = seed & 0xff;
        for (int at = 0; at < stream.length; ) {
            state = (state * 37 + 11) & 0xff;
            int size = Math.min(stream.length - at, 1 + state % maxChunk);
            chunks.add(Arrays.copyOfRange(stream, at, at + size));
            at += size;
        }
        return chunks;
    }

    private record Decoded(List<StompFrame> frames, int heartbeats, String error) {
    }
}
