package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.protocol.JsonNesting;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of the native protocol's JSON decoding (docs/fuzzing.md): the input is
 * the text of one WebSocket message (its bytes as UTF-8, malformed sequences replaced as a
 * container would). Kept inputs: {@code NativeFrameCodecFuzzTestInputs/<method>/}.
 */
@Tag("fuzz")
class NativeFrameCodecFuzzTest {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final NativeFrameCodec CODEC = new NativeFrameCodec(JSONB);

    /**
     * Any text decodes to a frame or to a Malformed value with a message (never an exception, never
     * TooBig, which is the transport's to say); text nested past the limit is refused as such; a
     * decoded frame, encoded the way the Java client sends it, decodes to the same frame.
     */
    @FuzzTest
    @DictionaryEntries({"{\"type\":\"publish\",", "{\"type\":\"subscribe\",", "\"type\":", "\"topic\":",
        "\"data\":", "\"since\":{\"offset\":", "\"epoch\":", "\"to\":", "\"id\":", "\"unsubscribe\"", "\"send\"",
        "\"ack\"", "\"ping\"", "null", "true", "1e400", "-0.0", "\\u0000", "\\ud800", "[[[[", "{\"a\":"})
    void decodesEveryTextToAFrameOrAMalformedValue(byte[] input) {
        // Under Jazzer's agent: the codec must still map fields, or the round trip below proves nothing.
        assertThat(CODEC.decodeClientFrame("{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"offset\":1,\"epoch\":\"e\"}}"))
                .isEqualTo(new NativeFrameCodec.Decoded.Frame(
                        new ClientFrame.Subscribe("news", new ClientFrame.Since(1L, "e"))));
        String text = new String(input, StandardCharsets.UTF_8);

        NativeFrameCodec.Decoded decoded = CODEC.decodeClientFrame(text);

        assertThat(decoded).isNotNull().isNotInstanceOf(NativeFrameCodec.Decoded.TooBig.class);
        if (JsonNesting.tooDeep(text)) {
            assertThat(decoded).isEqualTo(new NativeFrameCodec.Decoded.Malformed(JsonNesting.TOO_DEEP, null));
        }
        if (decoded instanceof NativeFrameCodec.Decoded.Malformed malformed) {
            assertThat(malformed.message()).isNotBlank();
        } else {
            ClientFrame frame = ((NativeFrameCodec.Decoded.Frame) decoded).frame();
            String encoded = CODEC.encode(frame);
            assertThat(CODEC.decodeClientFrame(encoded)).as("%s encoded as %s", frame, encoded)
                    .isEqualTo(new NativeFrameCodec.Decoded.Frame(frame));
        }
    }
}
