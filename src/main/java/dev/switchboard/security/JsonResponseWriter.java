package dev.switchboard.security;

import jakarta.json.bind.Jsonb;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes JSON responses, for the transport's handshake refusals and the API alike, including the
 * {@code {"error": CODE, "message": TEXT}} bodies of refusals (docs/protocol.md, Handshake; docs/http-api.md).
 */
public final class JsonResponseWriter {

    private final Jsonb jsonb;

    public JsonResponseWriter(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    /**
     * A refusal: {@code status} with {@code {"error", "message"}}, never cached. A 429 or 503 says
     * when to try again ({@code Retry-After}, 1 s unless the caller set one already).
     */
    public void writeError(HttpServletResponse response, int status, String error, String message) throws IOException {
        if ((status == 429 || status == 503) && !response.containsHeader("Retry-After")) {
            response.setHeader("Retry-After", "1");
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        response.setHeader("Cache-Control", "no-store");
        write(response, status, body);
    }

    /** {@code status} with {@code body} as JSON. */
    public void write(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = jsonb.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
