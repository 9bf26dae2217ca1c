package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13 point 6: the limits a public deployment needs, each refused as documented
 * (docs/security.md "Limits") and counted in /metrics, on a server with small limits.
 */
class LimitsIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("limits", Map.of(
            "max.sessions.per.user", "2",
            "max.sessions.per.address", "5",
            "max.subscriptions.per.session", "3",
            "inbound.rate", "20", "inbound.burst", "40",
            "inbound.bytes.rate", "20000", "inbound.bytes.burst", "40000",
            "api.rate", "1", "api.burst", "5"));

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aUserBeyondItsSessionsIs429WithRetryAfterUntilOneCloses() throws Exception {
        String token = TestTokens.token("limit-user");
        try (ChannelClient first = openChannel(token, "lu-1"); ChannelClient second = openChannel(token, "lu-2")) {
            RawExchange.Answer third = RawExchange.send(server, upgrade("/ws/channel?token=" + token + "&channelId=lu-3"));
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.header("Retry-After")).isEqualTo("1");
            assertThat(third.body()).contains("\"error\":\"rate_limited\"").contains("this user");
            try (ChannelClient other = openChannel(TestTokens.token("limit-other"), "lu-other")) {
                other.send("{\"type\":\"ping\"}");
                other.expect("pong");
            }
            first.send("{\"type\":\"ping\"}");
            first.expect("pong");
        }
        // Both closed: their slots come back.
        try (ChannelClient again = openChannel(token, "lu-4")) {
            again.send("{\"type\":\"ping\"}");
            again.expect("pong");
        }
        assertThat(refusals("sessions_per_user")).isPositive();
    }

    @Test
    void stompCountsTheUserAtConnectTogetherWithItsChannelSessions() throws Exception {
        String token = TestTokens.token("mixed-user");
        try (ChannelClient channel = openChannel(token, "lm-1");
                RawStompClient stomp = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> connectedStomp("mixed-user"), client -> true)) {
            RawStompClient third = RawStompClient.connect(server);
            try {
                third.send("CONNECT\naccept-version:1.2\nhost:localhost\nAuthorization:Bearer " + token + "\n\n\0");
                assertThat(third.nextFrame()).startsWith("ERROR\n").contains("too many sessions");
                assertThat(third.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
            } finally {
                third.close();
            }
            stomp.send("SUBSCRIBE\nid:1\ndestination:/topic/mixed\nreceipt:r1\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("RECEIPT\n");
            channel.send("{\"type\":\"ping\"}");
            channel.expect("pong");
        }
    }

    @Test
    void sockJsSessionsOverHttpCountForTheirUserAndFloodsCloseThemWith4029() throws Exception {
        String token = TestTokens.token("sockjs-user");
        SockJsEndpoint first = SockJsEndpoint.channel(server, token, "lj-1");
        SockJsEndpoint second = SockJsEndpoint.channel(server, token, "lj-2");
        SockJsEndpoint third = SockJsEndpoint.channel(server, token, "lj-3");
        String firstId = SockJsEndpoint.freshSessionId();
        assertThat(first.post(SockJsEndpoint.sessionPath("000", firstId, "xhr"), null).body()).isEqualTo("o\n");
        assertThat(second.post(SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), "xhr"), null)
                .body()).isEqualTo("o\n");
        SockJsEndpoint.Response refused = third.post(SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(),
                "xhr"), null);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).hasValue("1");
        assertThat(refused.body()).contains("this user");
        // A flood over xhr_send: 100 pings in one request, past the burst of 40.
        String pings = "[" + String.join(",", java.util.Collections.nCopies(100, "\"{\\\"type\\\":\\\"ping\\\"}\"")) + "]";
        first.post(SockJsEndpoint.sessionPath("000", firstId, "xhr_send"), pings);
        await("the flooding session closed with 4029").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(first.post(SockJsEndpoint.sessionPath("000", firstId, "xhr"), null).body())
                        .contains("c[4029,\"rate limited\"]"));
    }

    @Test
    void anAddressBeyondItsSessionsIs429WhateverTheProtocol() throws Exception {
        List<RawStompClient> stomp = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                // Retried: a session of an earlier test may still be giving its slot back.
                stomp.add(await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> RawStompClient.connect(server), client -> true));
            }
            RawExchange.Answer sixthStomp = RawExchange.send(server, upgrade("/ws/stomp"));
            assertThat(sixthStomp.status()).isEqualTo(429);
            assertThat(sixthStomp.header("Retry-After")).isEqualTo("1");
            assertThat(sixthStomp.body()).contains("this address");
            RawExchange.Answer sixthNative = RawExchange.send(server, upgrade("/ws/channel?token="
                    + TestTokens.token("addr-user") + "&channelId=la-1"));
            assertThat(sixthNative.status()).isEqualTo(429);
            stomp.remove(0).close();
            try (ChannelClient freed = openChannel(TestTokens.token("addr-user"), "la-2")) {
                freed.send("{\"type\":\"ping\"}");
                freed.expect("pong");
            }
        } finally {
            for (RawStompClient client : stomp) {
                client.close();
            }
        }
        assertThat(refusals("sessions_per_address")).isPositive();
    }

    @Test
    void aNativeSessionHoldsAtMostItsSubscriptions() throws Exception {
        try (ChannelClient client = openChannel(TestTokens.token("sub-user"), "ls-1")) {
            for (int i = 1; i <= 3; i++) {
                client.send("{\"type\":\"subscribe\",\"topic\":\"cap-" + i + "\"}");
                client.expect("subscribed");
            }
            client.send("{\"type\":\"subscribe\",\"topic\":\"cap-4\"}");
            var refused = client.expect("error");
            assertThat(refused.getString("code")).isEqualTo("forbidden");
            assertThat(refused.getString("message")).contains("at most 3 subscriptions");
            client.send("{\"type\":\"subscribe\",\"topic\":\"cap-1\"}"); // held already: not one more
            client.expect("subscribed");
            client.send("{\"type\":\"unsubscribe\",\"topic\":\"cap-1\"}");
            client.send("{\"type\":\"subscribe\",\"topic\":\"cap-4\"}");
            assertThat(client.expect("subscribed").getString("topic")).isEqualTo("cap-4");
        }
        assertThat(refusals("subscriptions")).isPositive();
    }

    @Test
    void aStompSessionBeyondItsSubscriptionsGetsAnError() throws Exception {
        try (RawStompClient client = connectedStomp("stomp-sub-user")) {
            for (int i = 1; i <= 3; i++) {
                client.send("SUBSCRIBE\nid:" + i + "\ndestination:/topic/scap-" + i + "\nreceipt:r" + i + "\n\n\0");
                assertThat(client.nextFrame()).startsWith("RECEIPT\n");
            }
            client.send("SUBSCRIBE\nid:4\ndestination:/topic/scap-4\nreceipt:r4\n\n\0");
            assertThat(client.nextFrame()).startsWith("ERROR\n").contains("too many subscriptions");
            assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void aNativeFrameFloodIsClosedWith4029AndTrafficWithinTheBurstIsServed() throws Exception {
        try (ChannelClient calm = openChannel(TestTokens.token("calm"), "lf-calm");
                ChannelClient flooder = openChannel(TestTokens.token("flooder"), "lf-flood")) {
            for (int i = 0; i < 30; i++) {
                calm.send("{\"type\":\"ping\"}");
            }
            for (int i = 0; i < 30; i++) {
                calm.expect("pong");
            }
            sendUntilClosed(flooder, "{\"type\":\"ping\"}", 2_000);
            CloseReason closed = flooder.awaitClose();
            assertThat(closed.getCloseCode().getCode()).isEqualTo(4029);
            assertThat(closed.getReasonPhrase()).isEqualTo("rate limited");
            assertThat(calm.isOpen()).isTrue();
        }
        assertThat(refusals("inbound_rate")).isPositive();
    }

    @Test
    void aNativeByteFloodIsClosedWith4029() throws Exception {
        try (ChannelClient flooder = openChannel(TestTokens.token("byte-flooder"), "lf-bytes")) {
            String big = "{\"type\":\"send\",\"to\":\"nowhere\",\"data\":\"" + "x".repeat(25_000) + "\"}";
            sendUntilClosed(flooder, big, 10); // 40,000 bytes of burst: the second frame is past it
            assertThat(flooder.awaitClose().getCloseCode().getCode()).isEqualTo(4029);
        }
    }

    @Test
    void aStompFrameFloodGetsAnErrorAndIsClosedWith4029() throws Exception {
        try (RawStompClient flooder = connectedStomp("stomp-flooder")) {
            for (int i = 0; i < 200 && !flooder.isClosed(); i++) {
                try {
                    flooder.send("UNSUBSCRIBE\nid:none-" + i + "\n\n\0"); // harmless on its own
                } catch (Exception e) {
                    break; // closed meanwhile
                }
            }
            assertThat(flooder.nextFrame()).startsWith("ERROR\n").contains("rate limited");
            assertThat(flooder.awaitClose(10).getCloseCode().getCode()).isEqualTo(4029);
        }
    }

    @Test
    void apiRequestsBeyondTheRateOfAKeyAre429WithRetryAfter() throws Exception {
        HttpResponse<String> last = null;
        for (int i = 0; i < 6; i++) {
            last = HTTP.send(HttpRequest.newBuilder(server.uri("/api/v1/stats"))
                    .header("Authorization", "Bearer " + TestTokens.API_KEY).build(), HttpResponse.BodyHandlers.ofString());
            if (i < 5) {
                assertThat(last.statusCode()).as("request %d", i + 1).isEqualTo(200);
            }
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(last.body()).contains("\"error\":\"rate_limited\"");
        // Credentials that do not authenticate are counted by address: guessing is limited too.
        for (int i = 0; i < 5; i++) {
            last = HTTP.send(HttpRequest.newBuilder(server.uri("/api/v1/stats"))
                    .header("Authorization", "Bearer guess-" + i).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(last.statusCode()).isEqualTo(401);
        }
        last = HTTP.send(HttpRequest.newBuilder(server.uri("/api/v1/stats"))
                .header("Authorization", "Bearer guess-6").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refusals("api_rate")).isGreaterThanOrEqualTo(2);
    }

    /** Sends {@code frame} up to {@code times} times, stopping once the server has closed the session. */
    private static void sendUntilClosed(ChannelClient client, String frame, int times) {
        for (int i = 0; i < times && client.isOpen(); i++) {
            try {
                client.send(frame);
            } catch (IOException | IllegalStateException e) {
                return; // the close overtook us
            }
        }
    }

    /** A channel session past its welcome, retried while an earlier test's session gives its slot back. */
    private static ChannelClient openChannel(String token, String channelId) {
        return await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            ChannelClient client = ChannelClient.connect(server, token, channelId);
            client.expect("welcome");
            return client;
        }, client -> true);
    }

    private static RawStompClient connectedStomp(String user) throws Exception {
        RawStompClient client = RawStompClient.connect(server);
        client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nAuthorization:Bearer "
                + TestTokens.token(user) + "\n\n\0");
        assertThat(client.nextFrame()).startsWith("CONNECTED\n");
        return client;
    }

    private static byte[] upgrade(String pathAndQuery) {
        return RawExchange.bytes("GET " + server.path(pathAndQuery) + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
    }

    /** {@code switchboard_limit_refusals_total{limit="<limit>"}} from /metrics. */
    private static double refusals(String limit) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(server.uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile("(?m)^switchboard_limit_refusals_total\\{limit=\"" + limit + "\"[^}]*\\} (\\S+)$")
                .matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no refusals of " + limit + " in /metrics:\n" + text);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
