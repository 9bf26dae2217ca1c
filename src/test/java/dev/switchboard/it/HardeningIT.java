package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13 point 7, probed from outside as the report did (logs: {@link LogRedactionIT}): JSON refusals from the container instead of its HTML page, the
 * HTTP API as strict as docs/http-api.md, and a configured public origin as the same-origin check.
 */
class HardeningIT {

    private static final String PUBLIC_ORIGIN = "https://push.example.com";

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("hardening", Map.of("public.origin", PUBLIC_ORIGIN));

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void refusalsTheContainerMakesItselfAreJsonWithoutVersionOrStackTrace() throws Exception {
        String host = "Host: 127.0.0.1\r\nConnection: close\r\n";
        Map<String, byte[]> requests = Map.of(
                "raw non-ASCII byte", RawExchange.bytes("GET " + server.path("/api/v1/topics/caf\u00e9/presence")
                        + " HTTP/1.1\r\n" + host + "\r\n"),
                "encoded slash", RawExchange.bytes("GET " + server.path("/api/v1/topics/a%2Fb/presence")
                        + " HTTP/1.1\r\n" + host + "\r\n"),
                "encoded NUL", RawExchange.bytes("GET " + server.path("/api/v1/topics/a%00b/presence")
                        + " HTTP/1.1\r\n" + host + "\r\n"),
                "oversize header", RawExchange.bytes("GET " + server.path("/health/live") + " HTTP/1.1\r\n" + host
                        + "X-Big: " + "a".repeat(20_000) + "\r\n\r\n"),
                "oversize query", RawExchange.bytes("GET " + server.path("/health/live?q=" + "a".repeat(20_000))
                        + " HTTP/1.1\r\n" + host + "\r\n"),
                "negative Content-Length", RawExchange.bytes("POST " + server.path("/api/v1/broadcast") + " HTTP/1.1\r\n"
                        + host + "Content-Length: -1\r\n\r\n"),
                "TRACE", RawExchange.bytes("TRACE " + server.path("/") + " HTTP/1.1\r\n" + host + "\r\n"),
                "unknown static file", RawExchange.bytes("GET " + server.path("/no-such-page.html") + " HTTP/1.1\r\n"
                        + host + "\r\n"));
        for (Map.Entry<String, byte[]> request : requests.entrySet()) {
            RawExchange.Answer answer = RawExchange.send(server, request.getValue());
            assertThat(answer.status()).as(request.getKey()).isBetween(400, 499);
            if (NginxFront.requested()) {
                // nginx answers what it refuses itself with its own page; the shipped locations hide its version.
                assertThat(answer.header("Server")).as(request.getKey()).isIn(null, "nginx");
                assertThat(answer.body()).as(request.getKey()).doesNotContain("nginx/")
                        .doesNotContainIgnoringCase("tomcat").doesNotContain("Exception");
                continue;
            }
            assertThat(answer.header("Content-Type")).as(request.getKey()).startsWith("application/json");
            assertThat(answer.body()).as(request.getKey()).startsWith("{\"error\":\"").contains("\"message\":\"")
                    .doesNotContainIgnoringCase("tomcat").doesNotContain("<").doesNotContain("Exception");
            assertThat(answer.header("Server")).as(request.getKey()).isNull();
        }
    }

    @Test
    void theApiAnswers405WithAllowForAnyOtherMethodOnAKnownPath() throws Exception {
        for (String method : new String[] {"PUT", "PATCH", "GET", "DELETE"}) {
            HttpResponse<String> answer = http.send(api("/api/v1/topics/strict/messages")
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"data\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(method).isEqualTo(405);
            assertThat(answer.headers().firstValue("Allow")).as(method).hasValue("POST");
            assertThat(answer.body()).contains("\"error\":\"method_not_allowed\"");
        }
        HttpResponse<String> put = http.send(api("/api/v1/channels/desk-1")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("DELETE");
        HttpResponse<String> unknown = http.send(api("/api/v1/nothing-here")
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void theApiRefusesTrailingTextInvalidUtf8AndNullOrMissingData() throws Exception {
        Map<String, byte[]> bodies = Map.of(
                "trailing text", "{\"data\":1} xyz".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "a second value", "{\"data\":1}{\"data\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "invalid UTF-8", new byte[] {'{', '"', 'd', 'a', 't', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                "null data", "{\"data\":null}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "no data", "{\"ack\":false}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            HttpResponse<String> answer = http.send(api("/api/v1/topics/strict/messages")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.getValue()))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(body.getKey()).isEqualTo(400);
            assertThat(answer.body()).as(body.getKey()).contains("\"error\":\"bad_request\"");
        }
        HttpResponse<String> fine = http.send(api("/api/v1/topics/strict/messages")
                .POST(HttpRequest.BodyPublishers.ofString(" {\"data\":\"caf\u00e9\"}\r\n "))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fine.statusCode()).as("white space around the value is fine").isEqualTo(202);
    }

    @Test
    void withAPublicOriginTheSameOriginCheckNoLongerTrustsHost() throws Exception {
        String token = TestTokens.token("origin-user");
        // DNS rebinding: the page's origin and Host agree, and both are the attacker's.
        RawExchange.Answer rebound = RawExchange.send(server, RawExchange.bytes("GET "
                + server.path("/ws/channel?token=" + token + "&channelId=origin-1") + " HTTP/1.1\r\n"
                + "Host: evil.example:" + server.port() + "\r\nOrigin: http://evil.example:" + server.port() + "\r\n"
                + "Connection: close\r\n\r\n"));
        assertThat(rebound.status()).isEqualTo(403);
        assertThat(rebound.body()).contains("origin not allowed");
        // The request's own Host as origin is no longer enough either.
        assertThat(RawUpgrade.send(server, "/ws/stomp", "http://127.0.0.1:" + server.port()).status()).isEqualTo(403);
        // The public origin passes, whatever Host says.
        RawExchange.Answer probe = RawExchange.send(server, RawExchange.bytes("GET "
                + server.path("/ws/channel?token=" + token + "&channelId=origin-2") + " HTTP/1.1\r\n"
                + "Host: internal-name:8080\r\nOrigin: " + PUBLIC_ORIGIN + "\r\nConnection: close\r\n\r\n"));
        assertThat(probe.status()).as(probe.body()).isEqualTo(426); // all checks passed; no Upgrade header
        try (ChannelClient client = ChannelClient.connect(
                ChannelClient.channelUri(server, token, "origin-3"), PUBLIC_ORIGIN)) {
            client.expect("welcome");
        }
    }

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + TestTokens.API_KEY);
    }

}
