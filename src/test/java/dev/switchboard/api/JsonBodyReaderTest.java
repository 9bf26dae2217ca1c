package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import jakarta.json.JsonObject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class JsonBodyReaderTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private final JsonBodyReader reader = new JsonBodyReader(JSONB, 4 * 1024 * 1024);

    @AfterAll
    static void closeJsonb() throws Exception {
        JSONB.close();
    }

    @Test
    void aBodyWithData500LevelsDeepIsRead() throws Exception {
        JsonObject body = reader.read(request("{\"data\":" + "[".repeat(500) + "]".repeat(500) + "}"));

        assertThat(body).containsKey("data");
    }

    @Test
    void aBodyNestedAThousandLevelsDeepIsA400NamingTheLimit() {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> reader.read(request("{\"data\":" + "[".repeat(1_000) + "]".repeat(1_000) + "}")));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error()).isEqualTo("bad_request");
        assertThat(refused.getMessage()).isEqualTo("JSON nested deeper than 512 levels");
    }

    @Test
    void aBodyNestedAHundredThousandLevelsDeepIsA400() {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> reader.read(request("[".repeat(100_000))));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).isEqualTo("JSON nested deeper than 512 levels");
    }

    @Test
    void aBodyThatIsNotJsonIsStillA400() {
        ApiException refused = catchThrowableOfType(ApiException.class, () -> reader.read(request("{\"data\":")));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).isEqualTo("body is not valid JSON");
    }

    /** A request with only what the reader uses: the body stream and its length. */
    @Test
    void textAfterTheJsonValueIsA400() {
        for (String body : new String[] {"{\"data\":1} xyz", "{\"data\":1}{\"data\":2}", "{\"data\":1}]"}) {
            ApiException refused = catchThrowableOfType(ApiException.class, () -> reader.read(request(body)));
            assertThat(refused).as(body).isNotNull();
            assertThat(refused.status()).as(body).isEqualTo(400);
        }
    }

    @Test
    void whiteSpaceAroundTheValueIsFine() throws Exception {
        assertThat(reader.read(request(" \r\n{\"data\":1}\n\t ")).getInt("data")).isEqualTo(1);
    }

    @Test
    void bytesThatAreNotUtf8AreA400() {
        byte[] body = {'{', '"', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ApiException refused = catchThrowableOfType(ApiException.class, () -> reader.read(request(body)));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.getMessage()).contains("UTF-8");
    }

    private static HttpServletRequest request(String body) {
        return request(body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpServletRequest request(byte[] bytes) {
        ServletInputStream in = new BodyStream(bytes);
        return (HttpServletRequest) Proxy.newProxyInstance(JsonBodyReaderTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getInputStream" -> in;
                    case "getContentLengthLong" -> (long) bytes.length;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final class BodyStream extends ServletInputStream {
        private final ByteArrayInputStream bytes;

        BodyStream(byte[] body) {
            this.bytes = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return bytes.read(buffer, offset, length);
        }

        @Override
        public boolean isFinished() {
            return bytes.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException();
        }
    }
}
