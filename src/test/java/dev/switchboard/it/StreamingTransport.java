package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SockJS transports that stream frames in one long HTTP response (sockjs-protocol-0.3.3,
 * sections XhrStreaming, EventSource, HtmlFile): how each is requested, its prelude, and how a
 * frame is wrapped on the wire.
 */
enum StreamingTransport {

    /** {@code POST .../xhr_streaming}: 2 KiB of {@code h} and a newline, then frames each ended by a newline. */
    XHR_STREAMING("POST", "xhr_streaming", "application/javascript;charset=UTF-8") {
        @Override
        void readPrelude(SockJsStream stream) {
            // Spec: "The transport must first send 2KiB of `h` bytes as prelude" (so that old browsers
            // start firing progress events).
            assertThat(stream.nextBytes(2049)).as("xhr_streaming prelude").isEqualTo("h".repeat(2048) + "\n");
        }

        @Override
        Frame nextFrame(SockJsStream stream, Duration wait) {
            String wire = stream.next("\n", wait);
            return new Frame(wire.substring(0, wire.length() - 1), wire);
        }

        @Override
        String wire(String frame) {
            return frame + "\n";
        }
    },

    /** {@code GET .../eventsource}: a CRLF prelude, then each frame as {@code data: <frame>\r\n\r\n}. */
    EVENTSOURCE("GET", "eventsource", "text/event-stream;charset=UTF-8") {
        @Override
        void readPrelude(SockJsStream stream) {
            // Spec: "The transport must first send a new line prelude, due to a bug in Opera."
            assertThat(stream.nextBytes(2)).as("eventsource prelude").isEqualTo("\r\n");
        }

        @Override
        Frame nextFrame(SockJsStream stream, Duration wait) {
            String wire = stream.next("\r\n\r\n", wait);
            assertThat(wire).as("an event").startsWith("data: ");
            return new Frame(wire.substring("data: ".length(), wire.length() - 4), wire);
        }

        @Override
        String wire(String frame) {
            return "data: " + frame + "\r\n\r\n";
        }
    },

    /**
     * {@code GET .../htmlfile?c=<callback>}: an HTML page (padded past 1 KiB) that hands each frame
     * to {@code parent.<callback>}, then each frame as a {@code <script>} calling {@code p("<frame>")}.
     */
    HTMLFILE("GET", "htmlfile?c=callback", "text/html;charset=UTF-8") {
        @Override
        void readPrelude(SockJsStream stream) {
            String page = stream.next("</script>");
            assertThat(page.strip()).as("htmlfile page").isEqualTo(htmlFilePage("callback"));
            // The padding that follows is taken with the first frame (see nextFrame).
        }

        @Override
        Frame nextFrame(SockJsStream stream, Duration wait) {
            String text = stream.next("</script>\r\n", wait);
            String wire = text.stripLeading(); // the page's padding, before the first frame
            Matcher script = SCRIPT.matcher(wire);
            assertThat(script.matches()).as("a frame script: '%s'", SockJsStream.printable(wire)).isTrue();
            try (JsonReader reader = Json.createReader(new StringReader("[" + script.group(1) + "]"))) {
                return new Frame(((JsonString) reader.readArray().get(0)).getString(), wire);
            }
        }

        @Override
        String wire(String frame) {
            return "<script>\np(" + SockJsFrames.jsonString(frame) + ");\n</script>\r\n";
        }
    };

    /** A frame: its SockJS text and the bytes that carried it (without any prelude). */
    record Frame(String text, String wire) {
        int wireBytes() {
            return wire.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /**
     * The messages of one streaming response, in order, across frames; heart-beats are skipped and
     * any other frame fails the test.
     */
    static final class Receiver {
        private final StreamingTransport transport;
        private final SockJsStream stream;
        private final java.util.Deque<String> unread = new java.util.ArrayDeque<>();

        Receiver(StreamingTransport transport, SockJsStream stream) {
            this.transport = transport;
            this.stream = stream;
        }

        String nextMessage() {
            while (unread.isEmpty()) {
                String frame = transport.nextFrame(stream).text();
                if (frame.startsWith("a[")) {
                    unread.addAll(SockJsFrames.messages(frame));
                } else if (!frame.equals("h")) {
                    throw new AssertionError("expected messages but got '" + frame + "'");
                }
            }
            return unread.removeFirst();
        }

        /** Skips messages until one for which {@code wanted} holds. */
        String awaitMessage(java.util.function.Predicate<String> wanted) {
            for (;;) {
                String message = nextMessage();
                if (wanted.test(message)) {
                    return message;
                }
            }
        }
    }

    private static final Pattern SCRIPT = Pattern.compile("<script>\np\\((\".*\")\\);\n</script>\r\n", Pattern.DOTALL);

    private final String method;
    private final String pathEnd;
    private final String contentType;

    StreamingTransport(String method, String pathEnd, String contentType) {
        this.method = method;
        this.pathEnd = pathEnd;
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /** Starts a request of this transport for {@code sessionId}; reads nothing yet. */
    SockJsStream start(SockJsEndpoint endpoint, String sessionId, String... headers) throws Exception {
        return endpoint.stream(method, "/000/" + sessionId + "/" + pathEnd, headers);
    }

    /**
     * Starts a request that creates (or takes up) a session: status 200, prelude and the open frame
     * {@code o} must come.
     */
    SockJsStream open(SockJsEndpoint endpoint, String sessionId, String... headers) throws Exception {
        SockJsStream stream = start(endpoint, sessionId, headers);
        assertThat(stream.status()).as("%s status", this).isEqualTo(200);
        readPrelude(stream);
        assertThat(nextFrame(stream).text()).as("open frame").isEqualTo("o");
        return stream;
    }

    /** Reads and checks this transport's prelude. */
    abstract void readPrelude(SockJsStream stream);

    /** The next frame on the stream, waiting up to 10 s. */
    Frame nextFrame(SockJsStream stream) {
        return nextFrame(stream, SockJsStream.DEFAULT_WAIT);
    }

    /** The next frame on the stream, waiting up to {@code wait}. */
    abstract Frame nextFrame(SockJsStream stream, Duration wait);

    /** The wire text of {@code frame} on this transport, as a conforming server writes it. */
    abstract String wire(String frame);

    /**
     * The htmlfile page (spec section HtmlFile) for {@code callback}: sets {@code document.domain},
     * hands frames to the parent's callback object, and stops it on load.
     */
    static String htmlFilePage(String callback) {
        return """
                <!doctype html>
                <html><head>
                  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                </head><body><h2>Don't panic!</h2>
                  <script>
                    document.domain = document.domain;
                    var c = parent.%s;
                    c.start();
                    function p(d) {c.message(d);};
                    window.onload = function() {c.stop();};
                  </script>""".formatted(callback);
    }
}
