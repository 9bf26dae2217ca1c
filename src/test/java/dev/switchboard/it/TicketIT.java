package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection tickets (docs/security.md, Connection tickets) on one node: {@code POST /api/v1/tickets} with the
 * user's own token, then {@code ?ticket=} in place of {@code ?token=} on the native, STOMP and
 * SockJS endpoints; a ticket opens one session, and never appears in the server's log.
 */
@ContainerMatrix
class TicketIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("tickets",
            Map.of("allowed.origins", "https://app.example"));

    /** Every ticket issued here, to look for in the log at the end. */
    private static final List<String> ISSUED = new ArrayList<>();

    private static String ticket(String token) throws Exception {
        String ticket = IssuedTickets.ticket(server, token);
        synchronized (ISSUED) {
            ISSUED.add(ticket);
        }
        return ticket;
    }

    @Test
    void aUsersOwnTokenBuysASingleUseTicketOfThirtySeconds() throws Exception {
        HttpApi.Response issued = new HttpApi(server, TestTokens.token("alice")).post("/api/v1/tickets", "");

        assertThat(issued.status()).isEqualTo(201);
        JsonObject body = issued.json();
        assertThat(body.getInt("expiresIn")).isEqualTo(30);
        assertThat(body.getString("ticket")).matches("[A-Za-z0-9_-]{43}");
        assertThat(issued.header("Cache-Control")).contains("no-store");
        synchronized (ISSUED) {
            ISSUED.add(body.getString("ticket"));
        }
    }

    @Test
    void theApiKeyNoTokenAndABadTokenGetNoTicket() throws Exception {
        assertThat(HttpApi.withApiKey(server).post("/api/v1/tickets", "").status()).isEqualTo(401);
        assertThat(new HttpApi(server, null).post("/api/v1/tickets", "").status()).isEqualTo(401);
        assertThat(new HttpApi(server, TestTokens.expiredToken("alice")).post("/api/v1/tickets", "").status())
                .isEqualTo(401);
        HttpApi.Response get = new HttpApi(server, TestTokens.token("alice")).get("/api/v1/tickets");
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.header("Allow")).contains("POST, OPTIONS");
    }

    @Test
    void aPageOfAnAllowedOriginMayAskAndOthersMayNot() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> preflight = http.send(java.net.http.HttpRequest.newBuilder(
                server.uri("/api/v1/tickets")).method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");

        java.net.http.HttpResponse<String> foreign = http.send(java.net.http.HttpRequest.newBuilder(
                server.uri("/api/v1/tickets")).POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example").header("Authorization", "Bearer " + TestTokens.token("alice"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(403);
    }

    @Test
    void aTicketOpensOneChannelSessionAndAReplayIs401() throws Exception {
        String ticket = ticket(TestTokens.token("alice"));
        String query = "/ws/channel?ticket=" + ticket + "&channelId=";

        try (ChannelClient client = ChannelClient.connect(server.wsUri(query + "tk-1"), null)) {
            JsonObject welcome = client.expect("welcome");
            assertThat(welcome.getString("user")).isEqualTo("alice");
            assertThat(welcome.getString("channelId")).isEqualTo("tk-1");
        }
        RawUpgrade.Answer replay = RawUpgrade.send(server, query + "tk-2", null);
        assertThat(replay.status()).isEqualTo(401);
        assertThat(replay.body()).contains("ticket unknown, used or expired").doesNotContain(ticket);
    }

    @Test
    void anUnknownTicketAndATicketWithATokenAreRefused() throws Exception {
        assertThat(RawUpgrade.send(server, "/ws/channel?ticket=" + "A".repeat(43) + "&channelId=tk-3", null).status())
                .isEqualTo(401);
        assertThat(RawUpgrade.send(server, "/ws/stomp?ticket=nonsense", null).status()).isEqualTo(401);
        String ticket = ticket(TestTokens.token("alice"));
        assertThat(RawUpgrade.send(server, "/ws/channel?ticket=" + ticket + "&token=" + TestTokens.token("alice")
                + "&channelId=tk-4", null).status()).isEqualTo(400);
    }

    @Test
    void theTicketCarriesTheTokensChannelsClaim() throws Exception {
        String ticket = ticket(TestTokens.tokenForChannels("alice", List.of("desk|*")));

        assertThat(RawUpgrade.send(server, "/ws/channel?ticket=" + ticket + "&channelId=phone-1", null).status())
                .isEqualTo(403);
    }

    @Test
    void aStompHandshakeWithATicketConnectsWithoutAToken() throws Exception {
        String ticket = ticket(TestTokens.token("bob"));

        try (RawStompClient client = RawStompClient.connectTo(server, "/ws/stomp?ticket=" + ticket)) {
            client.send("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0");
            assertThat(client.nextFrame()).startsWith("CONNECTED\n").contains("user-name:bob");
        }
        assertThat(RawUpgrade.send(server, "/ws/stomp?ticket=" + ticket, null).status()).isEqualTo(401);
    }

    @Test
    void aSockJsChannelSessionOpensWithATicketThatInfoDoesNotUseUp() throws Exception {
        String ticket = ticket(TestTokens.token("carol"));
        String channelId = SockJsEndpoint.freshChannelId("tk-sockjs");
        SockJsEndpoint endpoint = SockJsEndpoint.withQuery(server, SockJsEndpoint.CHANNEL,
                "ticket=" + ticket + "&channelId=" + channelId, channelId);

        assertThat(endpoint.get("/info").status()).isEqualTo(200);
        SockJsSession session = new SockJsSession(endpoint, "000", SockJsEndpoint.freshSessionId()).open();
        assertThat(session.nextMessage()).contains("\"welcome\"").contains("\"carol\"");

        SockJsSession replay = new SockJsSession(endpoint, "000", SockJsEndpoint.freshSessionId());
        assertThat(replay.poll().status()).isEqualTo(401);
    }

    @Test
    void aSockJsStompSessionConnectsWithATicket() throws Exception {
        String ticket = ticket(TestTokens.token("dave"));
        SockJsEndpoint endpoint = SockJsEndpoint.withQuery(server, SockJsEndpoint.STOMP, "ticket=" + ticket, null);

        SockJsSession session = new SockJsSession(endpoint, "000", SockJsEndpoint.freshSessionId()).open();
        session.send("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0");

        assertThat(session.nextMessage()).startsWith("CONNECTED\n").contains("user-name:dave");
    }

    @Test
    void aRevokedUsersTicketIsRefused() throws Exception {
        String ticket = ticket(TestTokens.token("erin"));
        IssuedTickets.revoke(server, "{\"user\":\"erin\"}");

        RawUpgrade.Answer refused = RawUpgrade.send(server, "/ws/channel?ticket=" + ticket + "&channelId=tk-5", null);

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body()).contains("token revoked");
    }

    @AfterAll
    static void noTicketIsInTheLog() throws Exception {
        Path log = Path.of("target", "it-logs", server.deploymentName(), "tickets.log");
        String text = Files.readString(log);
        synchronized (ISSUED) {
            assertThat(ISSUED).isNotEmpty();
            for (String ticket : ISSUED) {
                assertThat(text).doesNotContain(ticket);
            }
        }
    }
}
