package dev.switchboard.security;

import jakarta.json.bind.Jsonb;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes, for the transport and the API alike, the {@code {"error": CODE, "message": TEXT}} bodies of refusals (CONTRACT.md sections 2 and 4). */
public final class JsonErrorWriter {

    private final Jsonb jsonb;

    public JsonErrorWriter(Jsonb jsonb) {
        this.jsonb = jsonb;
    }

    public void write(HttpServletResponse response, int status, String error, String message) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        byte[] bytes = jsonb.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
