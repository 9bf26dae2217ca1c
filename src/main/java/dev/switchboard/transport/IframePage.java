package dev.switchboard.transport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The SockJS iframe page ({@code /iframe.html}, SockJS 0.3.3 "IFrame page"): the iframe-based
 * transports load it from the server's origin, and it runs sockjs-client inside. The client script is
 * the one this application serves from its webjar, not a CDN: a closed network has no CDN.
 * Cached for a year, revalidated by its ETag.
 */
final class IframePage {

    private static final Pattern PATH = Pattern.compile("/iframe[0-9A-Za-z.\\-_]*\\.html");

    private final byte[] body;
    private final String etag;

    IframePage(String clientScriptUrl) {
        String page = """
                <!DOCTYPE html>
                <html>
                <head>
                  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                  <script>
                    document.domain = document.domain;
                    _sockjs_onload = function(){SockJS.bootstrap_iframe();};
                  </script>
                  <script src="%s"></script>
                </head>
                <body>
                  <h2>Don't panic!</h2>
                  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
                </body>
                </html>
                """.formatted(clientScriptUrl);
        this.body = page.getBytes(StandardCharsets.UTF_8);
        this.etag = "\"" + HexFormat.of().formatHex(sha256(body), 0, 16) + "\"";
    }

    /** Whether {@code path} (below an endpoint's prefix) names the iframe page. */
    static boolean isIframePath(String path) {
        return PATH.matcher(path).matches();
    }

    void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "public, max-age=31536000");
        response.setDateHeader("Expires", System.currentTimeMillis() + 31_536_000_000L);
        response.setHeader("ETag", etag);
        if (etag.equals(request.getHeader("If-None-Match"))) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        response.setStatus(200);
        response.setContentType("text/html; charset=UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
