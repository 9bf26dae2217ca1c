package dev.switchboard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.protocol.NativeFrameCodec.Decoded;
import dev.switchboard.protocol.NativeFrameCodec;
import jakarta.json.bind.JsonbBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of {@link ClientFrameDecoder} (docs/fuzzing.md): the joining of message
 * parts and the size limit. Kept inputs: {@code ClientFrameDecoderFuzzTestInputs/<method>/}.
 *
 * <p>Input layout: byte 0 picks the limit (16 to 1,036 bytes), byte 1 seeds where messages are cut
 * into parts, the rest is one or more messages separated by NUL bytes (each decoded as UTF-8).
 */
@Tag("fuzz")
class ClientFrameDecoderFuzzTest {

    private static final NativeFrameCodec CODEC = new NativeFrameCodec(JsonbBuilder.create());

    /**
     * However a message is cut into parts, the decoder answers exactly once per message (after its
     * last part, or at the part that crosses the limit) and as it answers the whole message: the
     * same frame or Malformed value, or TooBig when the message's UTF-8 bytes exceed the limit.
     * A refused message leaves no trace on the next one.
     */
    @FuzzTest
    @DictionaryEntries({"{\"type\":\"publish\",\"topic\":\"t\",\"data\":", "{\"type\":\"ping\"}", "\u20ac",
        "\ud83d\ude00", "\u0000"})
    void answersEachMessageOnceAsItAnswersTheWholeMessage(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int limit = 16 + (input[0] & 0xff) * 4;
        int state = input[1] & 0xff;
        ClientFrameDecoder parts = new ClientFrameDecoder(CODEC, limit);
        ClientFrameDecoder whole = new ClientFrameDecoder(CODEC, limit);

        for (String message : messages(input)) {
            List<Decoded> answers = new ArrayList<>();
            int at = 0;
            do {
                state = (state * 73 + 41) & 0xffff;
                int end = Math.min(message.length(), at + state % 24);
                boolean last = end == message.length();
                Decoded answer = parts.decodePart(message.substring(at, end), last);
                if (answer != null) {
                    answers.add(answer);
                }
                at = end;
            } while (at < message.length());

            Decoded expected = whole.decode(message);
            long bytes = message.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > limit) {
                assertThat(expected).isInstanceOf(Decoded.TooBig.class);
                assertThat(answers).as("answers to a %s-byte message, limit %s", bytes, limit).singleElement()
                        .isInstanceOfSatisfying(Decoded.TooBig.class, tooBig -> {
                            assertThat(tooBig.limit()).isEqualTo(limit);
                            assertThat(tooBig.bytes()).isGreaterThan(limit).isLessThanOrEqualTo((int) bytes);
                        });
            } else {
                assertThat(expected).isNotInstanceOf(Decoded.TooBig.class);
                assertThat(answers).as("answers to a %s-byte message, limit %s", bytes, limit).containsExactly(expected);
            }
        }
    }

    /** The messages of the input: its bytes after the first two, cut at NULs, as UTF-8 text. */
    private static List<String> messages(byte[] input) {
        List<String> messages = new ArrayList<>();
        int from = 2;
        for (int i = 2; i <= input.length; i++) {
            if (i == input.length || input[i] == 0) {
                messages.add(new String(input, from, i - from, StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        return messages;
    }
}
