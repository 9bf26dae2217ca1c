package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SockJsFramesTest {

    @Test
    void messagesFrameIsAJsonArrayOfStrings() {
        assertThat(SockJsFrames.messages(List.of("a", "b\"c", "d\\e"))).isEqualTo("a[\"a\",\"b\\\"c\",\"d\\\\e\"]");
    }

    @Test
    void closeFrameCarriesCodeAndReason() {
        assertThat(SockJsFrames.close(3000, "Go away!")).isEqualTo("c[3000,\"Go away!\"]");
        assertThat(SockJsFrames.close(4008, "slow consumer")).isEqualTo("c[4008,\"slow consumer\"]");
    }

    @Test
    void charactersBrowsersMangleAreEscapedAsUnicodeEscapes() {
        assertThat(SockJsFrames.quoted("\u0000\u001f")).isEqualTo("\"\\u0000\\u001f\"");
        assertThat(SockJsFrames.quoted("\u200c\u200f\u2028\u202f\u2060\u206f")).isEqualTo(
                "\"\\u200c\\u200f\\u2028\\u202f\\u2060\\u206f\"");
        assertThat(SockJsFrames.quoted("\ufff0\uffff")).isEqualTo("\"\\ufff0\\uffff\"");
        assertThat(SockJsFrames.quoted("\ud83d\ude00")).isEqualTo("\"\\ud83d\\ude00\"");
    }

    @Test
    void ordinaryTextIsLeftAsItIs() {
        assertThat(SockJsFrames.quoted("caf\u00e9 \u4e2d </script>")).isEqualTo("\"caf\u00e9 \u4e2d </script>\"");
    }

    @Test
    void everyCharacterRoundTripsThroughAJsonParser() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            if (!Character.isSurrogate(c)) {
                all.append(c);
            }
        }
        all.append("\ud83d\ude00");
        try (Jsonb jsonb = JsonbBuilder.create()) {
            String[] parsed = jsonb.fromJson(SockJsFrames.messages(List.of(all.toString())).substring(1), String[].class);
            assertThat(parsed).containsExactly(all.toString());
        }
    }
}
