package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiverFramingTest {

    @Test
    void anHtmlFileFrameNeverEndsItsScriptEarly() {
        String frame = SockJsFrames.messages(java.util.List.of("</script><script>alert(1)</script> <!-- x"));

        String encoded = ReceiverFraming.htmlFile("_jp.a1").encode(frame);

        assertThat(encoded).isEqualTo("<script>\np(\"a[\\\"\\u003c/script>\\u003cscript>alert(1)\\u003c/script> "
                + "\\u003c!-- x\\\"]\");\n</script>\r\n");
        assertThat(encoded.indexOf("</script")).isEqualTo(encoded.lastIndexOf("</script"));
    }

    @Test
    void aJsonpFrameIsTheCallbackWithTheQuotedFrame() {
        assertThat(ReceiverFraming.jsonp("cb").encode("a[\"</script>\"]"))
                .isEqualTo("cb(\"a[\\\"</script>\\\"]\");\r\n");
    }
}
