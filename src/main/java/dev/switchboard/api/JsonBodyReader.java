package dev.switchboard.api;

import dev.switchboard.broker.JsonNesting;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request body as a JSON object, enforcing the body limit (413), JSON validity and the
 * nesting limit of {@link JsonNesting} (400).
 */
final class JsonBodyReader {

    /**
     * Up to this much of a refused body is read and thrown away so that a client still sending it
     * gets to read the 413: Payara (Grizzly) closes a connection whose body was left unread, which
     * clients that write the whole body before reading (the JDK's HttpClient) see as a reset.
     * Tomcat does the same by itself (its connector's maxSwallowSize, also 2 MiB).
     */
    private static final long DISCARD_LIMIT_BYTES = 2L * 1024 * 1024;

    private final Jsonb jsonb;
    private final int maxBytes;

    JsonBodyReader(Jsonb jsonb, int maxBytes) {
        this.jsonb = jsonb;
        this.maxBytes = maxBytes;
    }

    JsonObject read(HttpServletRequest request) throws IOException, ApiException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            if (request.getContentLengthLong() > maxBytes) {
                throw tooLarge(in, buffer);
            }
            for (int n; (n = in.read(buffer)) != -1; ) {
                if (body.size() + n > maxBytes) {
                    throw tooLarge(in, buffer);
                }
                body.write(buffer, 0, n);
            }
        }
        String text = body.toString(StandardCharsets.UTF_8);
        if (JsonNesting.tooDeep(text)) {
            // Before parsing: the parser's own limit (1,000 in Parsson) is an unnamed internal error.
            throw ApiException.badRequest(JsonNesting.TOO_DEEP);
        }
        JsonValue value;
        try {
            value = jsonb.fromJson(text, JsonValue.class);
        } catch (JsonbException e) {
            throw ApiException.badRequest("body is not valid JSON");
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiException.badRequest("body must be a JSON object");
        }
        return object;
    }

    private ApiException tooLarge(InputStream in, byte[] buffer) throws IOException {
        long discarded = 0;
        for (int n; discarded < DISCARD_LIMIT_BYTES && (n = in.read(buffer)) != -1; ) {
            discarded += n;
        }
        return new ApiException(413, "too_large", "body exceeds " + maxBytes + " bytes");
    }
}
