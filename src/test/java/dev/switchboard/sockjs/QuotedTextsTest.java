package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedTextsTest {

    private final QuotedTexts quotedTexts = new QuotedTexts();

    @Test
    void quotesAsTheProtocolAsks() {
        for (String text : new String[] {"", "plain", "{\"type\":\"message\",\"data\":\"a\\\\b\"}", "line\nbreak\ttab",
                "\u2028\u200c\ufff0\ud83d\ude00", "\u0000\u001f\u007f"}) {
            StringBuilder out = new StringBuilder("a[");
            quotedTexts.appendQuoted(out, text);
            assertThat(out.toString()).isEqualTo("a[" + SockJsFrames.quoted(text));
        }
    }

    @Test
    void aTextSentToManySessionsIsQuotedOnce() {
        String shared = "{\"type\":\"message\",\"topic\":\"news\",\"data\":{\"seq\":1}}";
        assertThat(quotedTexts.quoted(shared)).isSameAs(quotedTexts.quoted(shared));
    }

    @Test
    void anEqualTextOfAnotherInstanceGetsTheSameQuoting() {
        String first = new String("{\"seq\":7}".toCharArray());
        String second = new String("{\"seq\":7}".toCharArray());
        assertThat(quotedTexts.quoted(second)).isSameAs(quotedTexts.quoted(first));
    }

    @Test
    void textsSharingASlotEachGetTheirOwnQuoting() {
        // "Aa" and "BB" have the same String.hashCode, so the same slot.
        for (int i = 0; i < 3; i++) {
            assertThat(quotedTexts.quoted("Aa\"")).isEqualTo("\"Aa\\\"\"");
            assertThat(quotedTexts.quoted("BB\"")).isEqualTo("\"BB\\\"\"");
        }
    }

    @Test
    void aLongTextIsQuotedEveryTimeAndNotHeld() {
        String long1 = "x".repeat(QuotedTexts.MAX_CACHED_CHARS + 1);
        assertThat(quotedTexts.quoted(long1)).isEqualTo(SockJsFrames.quoted(long1)).isNotSameAs(quotedTexts.quoted(long1));
    }
}
