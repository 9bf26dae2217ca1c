package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Requests an attacker writes by hand, and what every refusal of them must look like: the status
 * and {@code {"error", "message"}} body of docs/protocol.md (Handshake) and docs/http-api.md, with nothing of the server's
 * make, version or stack in it.
 */
final class Attack {

    /** A refusal: the status and the parsed JSON body. */
    record Refusal(int status, JsonObject body, String text) {
    }

    private Attack() {
    }

    /**
     * A WebSocket upgrade of {@code pathAndQuery} (of the application) with extra {@code headers}
     * (name, value, ...), read up to its body.
     */
    static Refusal upgrade(ServerProcess server, String pathAndQuery, String... headers) throws IOException {
        String[] all = new String[headers.length + 8];
        System.arraycopy(new String[] {"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key",
                "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"}, 0, all, 0, 8);
        System.arraycopy(headers, 0, all, 8, headers.length);
        return exchange(server, "GET", pathAndQuery, null, all);
    }

    /** Any request, its answer read whole (by Content-Length). */
    static Refusal exchange(ServerProcess server, String method, String pathAndQuery, String body, String... headers)
            throws IOException {
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, method, pathAndQuery, "HTTP/1.1", body, headers);
            RawHttp.Head head = http.readHead();
            String text = head.status() == 101 ? "" : body(http, head);
            JsonObject json = text.startsWith("{") ? ChannelClient.JSONB.fromJson(text, JsonObject.class) : null;
            return new Refusal(head.status(), json, text);
        }
    }

    /** The body by Content-Length, by chunks, or up to the connection's close (a container's refusal may end so). */
    private static String body(RawHttp http, RawHttp.Head head) throws IOException {
        String length = head.header("content-length");
        if (length != null) {
            return http.read(Integer.parseInt(length));
        }
        if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            StringBuilder text = new StringBuilder();
            for (String chunk = http.readChunk(); !chunk.isEmpty(); chunk = http.readChunk()) {
                text.append(chunk);
            }
            return text.toString();
        }
        return "close".equalsIgnoreCase(head.header("connection")) ? http.readToEnd() : "";
    }

    /** Asserts a JSON refusal with {@code status} and {@code error}, saying nothing about the server. */
    static void assertRefused(Refusal refusal, int status, String error) {
        assertThat(refusal.status()).as("status of %s", refusal).isEqualTo(status);
        assertThat(refusal.body()).as("JSON body of %s", refusal).isNotNull();
        assertThat(refusal.body().getString("error")).isEqualTo(error);
        assertThat(refusal.body().getString("message")).isNotBlank();
        assertThat(refusal.text()).doesNotContainIgnoringCase("tomcat").doesNotContain("Exception").doesNotContain("\tat ");
    }

    /**
     * Asserts that the server's log holds no token: no JWT (every one starts {@code eyJ}, base64 of
     * <code>{"</code>) and none of {@code tokens} (docs/protocol.md, Tokens), whatever the attacks sent.
     */
    static void assertNoTokenInTheLog(ServerProcess server, String... tokens) throws IOException {
        String log = server.output();
        assertThat(log).as("server log of %s", server.deploymentName()).doesNotContain("eyJ");
        for (String token : tokens) {
            assertThat(log).doesNotContain(token);
        }
    }

    static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The query of a native or SockJS channel handshake. */
    static String channelQuery(String token, String channelId) {
        return "token=" + encoded(token) + "&channelId=" + encoded(channelId);
    }
}
