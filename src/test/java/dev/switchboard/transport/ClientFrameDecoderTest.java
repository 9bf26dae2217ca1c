package dev.switchboard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.NativeFrameCodec.Decoded;
import dev.switchboard.protocol.NativeFrameCodec;
import jakarta.json.bind.JsonbBuilder;
import org.junit.jupiter.api.Test;

class ClientFrameDecoderTest {

    private static final NativeFrameCodec CODEC = new NativeFrameCodec(JsonbBuilder.create());

    private final ClientFrameDecoder decoder = new ClientFrameDecoder(CODEC, 64);

    @Test
    void aMessageInOnePartIsDecodedAtOnce() {
        Decoded decoded = decoder.decodePart("{\"type\":\"subscribe\",\"topic\":\"news\"}", true);

        assertThat(decoded).isEqualTo(new Decoded.Frame(new ClientFrame.Subscribe("news", null)));
    }

    @Test
    void partsAreJoinedAndDecodedAfterTheLast() {
        assertThat(decoder.decodePart("{\"type\":\"subscr", false)).isNull();
        assertThat(decoder.decodePart("ibe\",\"topic\":", false)).isNull();

        assertThat(decoder.decodePart("\"news\"}", true))
                .isEqualTo(new Decoded.Frame(new ClientFrame.Subscribe("news", null)));
    }

    @Test
    void aMessageCrossingTheLimitIsRefusedOnceAtThePartThatCrossesItAndItsRestIsDropped() {
        assertThat(decoder.decodePart("{\"type\":\"publish\",\"data\":\"" + "a".repeat(20), false)).isNull();

        assertThat(decoder.decodePart("b".repeat(30), false)).isEqualTo(new Decoded.TooBig(76, 64));
        assertThat(decoder.decodePart("c".repeat(100), false)).isNull();
        assertThat(decoder.decodePart("\"}", true)).isNull();

        assertThat(decoder.decodePart("{\"type\":\"ping\"}", true)).isEqualTo(new Decoded.Frame(new ClientFrame.Ping()));
    }

    @Test
    void aSurrogatePairSplitBetweenPartsCountsFourBytesNotSix() {
        // Found by ClientFrameDecoderFuzzTest: each half was counted as 3 bytes.
        String emoji = "\ud83d\ude00"; // U+1F600, 4 bytes in UTF-8
        String text = "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"" + "a".repeat(20) + emoji + "\"}";
        assertThat(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(64);
        int split = text.indexOf(emoji) + 1;

        assertThat(decoder.decodePart(text.substring(0, split), false)).isNull();

        assertThat(decoder.decodePart(text.substring(split), true)).isInstanceOf(Decoded.Frame.class);
    }

    @Test
    void theLimitCountsUtf8BytesNotChars() {
        String twentyEuroSigns = "\u20ac".repeat(20); // 3 bytes each: 60 bytes in 20 chars

        assertThat(decoder.decodePart("{\"x\":\"", false)).isNull();
        assertThat(decoder.decodePart(twentyEuroSigns, true)).isEqualTo(new Decoded.TooBig(66, 64));
        assertThat(decoder.decode("{\"x\":\"" + twentyEuroSigns)).isInstanceOf(Decoded.TooBig.class);
    }
}
