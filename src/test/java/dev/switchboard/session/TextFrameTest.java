package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextFrameTest {

    @Test
    void utf8LengthIsWhatTheUtf8EncoderWrites() {
        for (String text : new String[] {"", "hello", "Zoë", "Ünal → 東京", "📞 call", "a😀b😀", "\u07ff\u0800\uffff"}) {
            assertThat(TextFrame.utf8Length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void aLoneSurrogateCountsThreeBytesAnUpperBoundOfItsReplacement() {
        assertThat(TextFrame.utf8Length("a\ud83d")).isEqualTo(4);
        assertThat(TextFrame.utf8Length("\ude00b")).isEqualTo(4);
    }

    @Test
    void ofComputesTheLength() {
        assertThat(TextFrame.of("Zoë")).isEqualTo(new TextFrame("Zoë", 4));
    }

    @Test
    void utf8IsTheTextsBytesEncodedOnceAndShared() {
        TextFrame frame = TextFrame.of("Ünal → 東京");

        assertThat(frame.utf8()).isEqualTo("Ünal → 東京".getBytes(StandardCharsets.UTF_8)).hasSize(frame.utf8Length());
        assertThat(frame.utf8()).isSameAs(frame.utf8());
    }
}
