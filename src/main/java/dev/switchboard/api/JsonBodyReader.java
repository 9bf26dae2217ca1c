package dev.switchboard.api;

import dev.switchboard.protocol.JsonNesting;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request body as a JSON object, enforcing the body limit (413), strict UTF-8, JSON
 * validity with nothing after the value, and the nesting limit of {@link JsonNesting} (400).
 */
final class JsonBodyReader {

    /**
     * Up to this much of a refused body is read and thrown away so that a client still sending it
     * gets to read the 413: Payara (Grizzly) closes a connection whose body was left unread, which
     * clients that write the whole body before reading (the JDK's HttpClient) see as a reset.
     * Tomcat does the same by itself (its connector's maxSwallowSize, also 2 MiB).
     */
    private static final long DISCARD_LIMIT_BYTES = 2L * 1024 * 1024;
    /** Looked up once: each lookup scans the class path. */
    private static final JsonProvider JSON = JsonProvider.provider();

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
        String text = strictUtf8(body.toByteArray());
        if (JsonNesting.tooDeep(text)) {
            // Before parsing: the parser's own limit (1,000 in Parsson) is an unnamed internal error.
            throw ApiException.badRequest(JsonNesting.TOO_DEEP);
        }
        JsonValue value = parseOneValue(text);
        if (!(value instanceof JsonObject object)) {
            throw ApiException.badRequest("body must be a JSON object");
        }
        return object;
    }

    /** The body as text; bytes that are not UTF-8 are a 400, not replacement characters (RFC 8259 section 8.1). */
    private static String strictUtf8(byte[] bytes) throws ApiException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("body is not valid UTF-8");
        }
    }

    /**
     * Exactly one JSON value, with nothing but white space after it: JSON-B reads the first value
     * and ignores the rest, so {@code {"data":1} xyz} would pass.
     */
    private static JsonValue parseOneValue(String text) throws ApiException {
        try (JsonParser parser = JSON.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw ApiException.badRequest("body is not valid JSON");
            }
            parser.next();
            JsonValue value = parser.getValue();
            if (parser.hasNext()) {
                throw ApiException.badRequest("body has text after the JSON value");
            }
            return value;
        } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
            // JsonParsingException is a JsonException; its message quotes the body, so it is not passed on.
            throw ApiException.badRequest("body is not valid JSON");
        }
    }

    private ApiException tooLarge(InputStream in, byte[] buffer) throws IOException {
        long discarded = 0;
        for (int n; discarded < DISCARD_LIMIT_BYTES && (n = in.read(buffer)) != -1; ) {
            discarded += n;
        }
        return new ApiException(413, "too_large", "body exceeds " + maxBytes + " bytes");
    }
}
