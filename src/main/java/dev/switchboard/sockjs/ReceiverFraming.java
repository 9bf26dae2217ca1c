package dev.switchboard.sockjs;

import java.util.regex.Pattern;

/**
 * How one HTTP receiving transport wraps SockJS frames (SockJS 0.3.3, one section per transport):
 * its content type, what its response starts with, and each frame's envelope.
 */
public final class ReceiverFraming {

    private enum Kind { XHR, EVENT_SOURCE, HTML_FILE, JSONP }

    private static final Pattern CALLBACK = Pattern.compile("[a-zA-Z0-9_.]{1,64}");
    private static final String JAVASCRIPT = "application/javascript; charset=UTF-8";
    /**
     * The xhr-streaming prelude: 2 KiB, because some browsers deliver the first chunk of a streamed
     * response only once that much arrived.
     */
    private static final String XHR_STREAMING_PRELUDE = "h".repeat(2048) + "\n";
    /** The htmlfile page (the protocol's "htmlfile" section), padded past the 1 KiB old browsers buffer. */
    private static final String HTML_FILE_PAGE = """
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
              </script>
            """;

    private final Kind kind;
    private final String prelude;
    private final String callback;

    private ReceiverFraming(Kind kind, String prelude, String callback) {
        this.kind = kind;
        this.prelude = prelude;
        this.callback = callback;
    }

    /** {@code xhr} (polling): each frame and a newline. */
    public static ReceiverFraming xhrPolling() {
        return new ReceiverFraming(Kind.XHR, "", null);
    }

    /** {@code xhr_streaming}: the prelude, then each frame and a newline. */
    public static ReceiverFraming xhrStreaming() {
        return new ReceiverFraming(Kind.XHR, XHR_STREAMING_PRELUDE, null);
    }

    /** {@code eventsource}: each frame as one server-sent event. */
    public static ReceiverFraming eventSource() {
        return new ReceiverFraming(Kind.EVENT_SOURCE, "\r\n", null);
    }

    /** {@code htmlfile}: a page calling {@code parent.<callback>}, then each frame as a script. */
    public static ReceiverFraming htmlFile(String callback) {
        String page = HTML_FILE_PAGE.formatted(callback);
        return new ReceiverFraming(Kind.HTML_FILE, page + " ".repeat(Math.max(0, 1024 - page.length())) + "\r\n",
                callback);
    }

    /** {@code jsonp} (polling): {@code callback("<frame>");}. */
    public static ReceiverFraming jsonp(String callback) {
        return new ReceiverFraming(Kind.JSONP, "", callback);
    }

    /** Whether {@code callback} may name the function of {@code htmlfile} and {@code jsonp}. */
    public static boolean isValidCallback(String callback) {
        return CALLBACK.matcher(callback).matches();
    }

    public String contentType() {
        return switch (kind) {
            case XHR, JSONP -> JAVASCRIPT;
            case EVENT_SOURCE -> "text/event-stream; charset=UTF-8";
            case HTML_FILE -> "text/html; charset=UTF-8";
        };
    }

    /** What the response starts with, before its first frame. */
    public String prelude() {
        return prelude;
    }

    /** {@code frame} in this transport's envelope. */
    public String encode(String frame) {
        return switch (kind) {
            case XHR -> frame + "\n";
            case EVENT_SOURCE -> "data: " + frame + "\r\n\r\n";
            // The HTML parser ends a script at "</script" even inside a string literal, and "<!--"
            // changes how it looks for that end: no "<" may appear in the script's text.
            case HTML_FILE -> "<script>\np(" + SockJsFrames.quoted(frame).replace("<", "\\u003c")
                    + ");\n</script>\r\n";
            case JSONP -> callback + "(" + SockJsFrames.quoted(frame) + ");\r\n";
        };
    }
}
