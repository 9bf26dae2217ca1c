package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Revocations on one node (docs/security.md, Revocation): made, listed and lifted through the HTTP API;
 * the sessions they cover close with 1008 {@code revoked}, on the native protocol and STOMP; the
 * tokens they cover are refused at the handshake and in CONNECT; a token that lives longer than
 * the maximum is refused.
 */
@ContainerMatrix
class RevocationIT {

    // One hour at most: a revocation without 'until' lasts as long.
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("revocations",
            Map.of("token.max.lifetime.ms", "3600000"));

    private static HttpApi api() {
        return HttpApi.withApiKey(server);
    }

    @Test
    void revokingAUserClosesItsSessionsWithRevokedAndRefusesItsTokensUntilLifted() throws Exception {
        String token = TestTokens.token("mallory");
        try (ChannelClient nativeSession = ChannelClient.connect(server, token, "rv-desk");
                ChannelClient bystander = ChannelClient.connect(server, TestTokens.token("trent"), "rv-other");
                RawStompClient stomp = RawStompClient.connect(server)) {
            nativeSession.expect("welcome");
            bystander.expect("welcome");
            stomp.send("CONNECT\naccept-version:1.2\nhost:localhost\nAuthorization:Bearer " + token + "\n\n\0");
            assertThat(stomp.nextFrame()).startsWith("CONNECTED\n");

            Instant before = Instant.now();
            JsonObject made = IssuedTickets.revoke(server, "{\"user\":\"mallory\"}");

            assertThat(made.getString("id")).isNotBlank();
            assertThat(made.getString("user")).isEqualTo("mallory");
            assertThat(made.containsKey("jti")).isFalse();
            Instant until = Instant.parse(made.getString("until"));
            assertThat(until).isBetween(before.plus(Duration.ofHours(1)).minusSeconds(5),
                    Instant.now().plus(Duration.ofHours(1)).plusSeconds(5));
            assertThat(Instant.parse(made.getString("createdAt"))).isBetween(before.minusSeconds(5), Instant.now());

            CloseReason closed = nativeSession.awaitClose();
            assertThat(closed.getCloseCode().getCode()).isEqualTo(1008);
            assertThat(closed.getReasonPhrase()).isEqualTo("revoked");
            CloseReason stompClosed = stomp.awaitClose(10);
            assertThat(stompClosed.getCloseCode().getCode()).isEqualTo(1008);
            assertThat(bystander.isOpen()).isTrue();
            bystander.send("{\"type\":\"ping\"}");
            bystander.expect("pong");

            RawUpgrade.Answer refused = RawUpgrade.send(server, "/ws/channel?token=" + token + "&channelId=rv-desk", null);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("token revoked");
            try (RawStompClient again = RawStompClient.connect(server)) {
                again.send("CONNECT\naccept-version:1.2\nhost:localhost\nAuthorization:Bearer " + token + "\n\n\0");
                assertThat(again.nextFrame()).startsWith("ERROR\n").contains("token revoked");
            }
            assertThat(new HttpApi(server, token).post("/api/v1/tickets", "").status()).isEqualTo(401);

            HttpApi.Response listed = api().get("/api/v1/revocations");
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.json().getJsonArray("revocations").getValuesAs(JsonObject.class))
                    .anySatisfy(r -> assertThat(r.getString("id")).isEqualTo(made.getString("id")));

            assertThat(api().delete("/api/v1/revocations/" + made.getString("id")).status()).isEqualTo(204);
            assertThat(api().delete("/api/v1/revocations/" + made.getString("id")).status()).isEqualTo(404);
            try (ChannelClient back = ChannelClient.connect(server, token, "rv-desk-2")) {
                back.expect("welcome");
            }
        }
    }

    @Test
    void revokingOneTokenClosesItsSessionsOnlyAndUntilIsTakenInBothForms() throws Exception {
        String stolen = IssuedTickets.tokenWithId("oscar", "jti-stolen");
        String current = IssuedTickets.tokenWithId("oscar", "jti-current");
        try (ChannelClient thief = ChannelClient.connect(server, stolen, "rv-jti-1");
                ChannelClient owner = ChannelClient.connect(server, current, "rv-jti-2")) {
            thief.expect("welcome");
            owner.expect("welcome");
            long until = Instant.now().plus(Duration.ofMinutes(10)).getEpochSecond();

            JsonObject made = IssuedTickets.revoke(server, "{\"jti\":\"jti-stolen\",\"until\":" + until + "}");

            assertThat(made.getString("jti")).isEqualTo("jti-stolen");
            assertThat(Instant.parse(made.getString("until"))).isEqualTo(Instant.ofEpochSecond(until));
            assertThat(thief.awaitClose().getReasonPhrase()).isEqualTo("revoked");
            owner.send("{\"type\":\"ping\"}");
            owner.expect("pong");
            assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(server, stolen, "rv-jti-3"), null))
                    .isEqualTo(401);
        }
        Instant iso = Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        JsonObject byInstant = IssuedTickets.revoke(server, "{\"jti\":\"jti-other\",\"until\":\"" + iso + "\"}");
        assertThat(Instant.parse(byInstant.getString("until"))).isEqualTo(iso);
    }

    @Test
    void aRevocationMustNameExactlyOneUserOrTokenAndEndInTheFuture() throws Exception {
        assertThat(api().post("/api/v1/revocations", "{}").status()).isEqualTo(400);
        assertThat(api().post("/api/v1/revocations", "{\"user\":\"a\",\"jti\":\"b\"}").status()).isEqualTo(400);
        assertThat(api().post("/api/v1/revocations", "{\"user\":\"\"}").status()).isEqualTo(400);
        assertThat(api().post("/api/v1/revocations", "{\"user\":\"a\",\"until\":1}").status()).isEqualTo(400);
        assertThat(api().post("/api/v1/revocations", "{\"user\":\"a\",\"until\":\"tomorrow\"}").status())
                .isEqualTo(400);
        assertThat(api().post("/api/v1/revocations", "{\"user\":\"a\",\"reason\":\"x\"}").status()).isEqualTo(400);
        assertThat(api().delete("/api/v1/revocations/rv-000000000000000000000000").status()).isEqualTo(404);
        assertThat(api().delete("/api/v1/revocations/not-an-id").status()).isEqualTo(404);
        HttpApi.Response put = api().post("/api/v1/revocations/rv-000000000000000000000000", "{}");
        assertThat(put.status()).isEqualTo(405);
    }

    @Test
    void revocationsNeedTheApiKeyOrAnAdminToken() throws Exception {
        assertThat(new HttpApi(server, null).get("/api/v1/revocations").status()).isEqualTo(401);
        assertThat(new HttpApi(server, TestTokens.token("user")).get("/api/v1/revocations").status()).isEqualTo(403);
        assertThat(new HttpApi(server, TestTokens.token("root", "admin")).get("/api/v1/revocations").status())
                .isEqualTo(200);
    }

    @Test
    void aTokenThatLivesLongerThanTheMaximumIsRefused() throws Exception {
        String tooLong = IssuedTickets.tokenLasting("peggy", Duration.ofHours(2));

        RawUpgrade.Answer refused = RawUpgrade.send(server, "/ws/channel?token=" + tooLong + "&channelId=rv-long", null);

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body()).contains("token lifetime too long");
    }
}
