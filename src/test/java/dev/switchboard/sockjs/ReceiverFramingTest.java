package dev.switchboard.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiverFramingTest {

    @Test
    void xhrPollingIsEachFrameAndANewline() {
        ReceiverFraming xhr = ReceiverFraming.xhrPolling();
        assertThat(xhr.prelude()).isEmpty();
        assertThat(xhr.encode("o")).isEqualTo("o\n");
        assertThat(xhr.contentType()).isEqualTo("application/javascript; charset=UTF-8");
    }

    @Test
    void xhrStreamingStartsWithTwoKilobytesOfH() {
        assertThat(ReceiverFraming.xhrStreaming().prelude()).isEqualTo("h".repeat(2048) + "\n");
    }

    @Test
    void eventSourceSendsEachFrameAsOneEvent() {
        ReceiverFraming events = ReceiverFraming.eventSource();
        assertThat(events.prelude()).isEqualTo("\r\n");
        assertThat(events.encode("a[\"x\"]")).isEqualTo("data: a[\"x\"]\r\n\r\n");
        assertThat(events.contentType()).isEqualTo("text/event-stream; charset=UTF-8");
    }

    @Test
    void htmlFileCallsTheParentsCallbackWithEachFrameQuotedSoThatNoMessageEndsTheScript() {
        ReceiverFraming html = ReceiverFraming.htmlFile("cb.x");
        assertThat(html.prelude()).contains("var c = parent.cb.x;").endsWith("\r\n");
        assertThat(html.prelude().length()).isGreaterThan(1024);
        assertThat(html.encode("a[\"</script>\"]")).isEqualTo(
                "<script>\np(\"a[\\\"\\u003c/script>\\\"]\");\n</script>\r\n");
    }

    @Test
    void jsonpWrapsEachFrameInTheCallback() {
        assertThat(ReceiverFraming.jsonp("x").encode("o")).isEqualTo("x(\"o\");\r\n");
    }

    @Test
    void callbacksAreNamesNotScript() {
        assertThat(ReceiverFraming.isValidCallback("_jp.a1b2")).isTrue();
        assertThat(ReceiverFraming.isValidCallback("alert(1)")).isFalse();
        assertThat(ReceiverFraming.isValidCallback("")).isFalse();
        assertThat(ReceiverFraming.isValidCallback("a".repeat(65))).isFalse();
    }

    @Test
    void anHtmlFileFrameNeverEndsItsScriptEarly() {
        String frame = SockJsFrames.messages(java.util.List.of("</script><script>alert(1)</script> <!-- x"));

        String encoded = ReceiverFraming.htmlFile("_jp.a1").encode(frame);

        assertThat(encoded).isEqualTo("<script>\np(\"a[\\\"\\u003c/script>\\u003cscript>alert(1)\\u003c/script> "
                + "\\u003c!-- x\\\"]\");\n</script>\r\n");
        assertThat(encoded.indexOf("</script")).isEqualTo(encoded.lastIndexOf("</script"));
    }
}
