package dev.switchboard.api;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads a request body as a JSON object, enforcing the body limit (413) and JSON validity (400). */
final class JsonBodyReader {

    private final Jsonb jsonb;
    private final int maxBytes;

    JsonBodyReader(Jsonb jsonb, int maxBytes) {
        this.jsonb = jsonb;
        this.maxBytes = maxBytes;
    }

    JsonObject read(HttpServletRequest request) throws IOException, ApiException {
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                if (body.size() + n > maxBytes) {
                    throw tooLarge();
                }
                body.write(buffer, 0, n);
            }
        }
        JsonValue value;
        try {
            value = jsonb.fromJson(body.toString(StandardCharsets.UTF_8), JsonValue.class);
        } catch (JsonbException e) {
            throw ApiException.badRequest("body is not valid JSON");
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiException.badRequest("body must be a JSON object");
        }
        return object;
    }

    private ApiException tooLarge() {
        return new ApiException(413, "too_large", "body exceeds " + maxBytes + " bytes");
    }
}
