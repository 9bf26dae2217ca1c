package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stolen credential: a token that has been revoked (by user and by {@code jti}), its sessions
 * open on every protocol when the revocation comes; a connection ticket replayed on each endpoint
 * after its one use; tickets guessed. Each is refused, the revoked sessions are closed with 1008
 * {@code revoked}, and neither a token nor a ticket reaches the server's log.
 */
class StolenCredentialAttackIT {

    /** Every ticket a test used, for the log check. */
    private static final List<String> TICKETS = new ArrayList<>();

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("attack-stolen", Map.of());
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server);

    @AfterAll
    static void noTokenNorTicketReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server, TICKETS.toArray(String[]::new));
    }

    @Test
    void aRevokedUsersSessionsCloseOnEveryProtocolAndItsTokenIsRefusedEverywhere() throws Exception {
        String stolen = TestTokens.token("victim");
        SockJsSession sockJs = SockJsEndpoint.channel(server, stolen, SockJsEndpoint.freshChannelId("stolen-sockjs"))
                .newSession().open();
        assertThat(sockJs.nextMessage(Duration.ofSeconds(10))).contains("\"type\":\"welcome\"");
        try (ChannelClient nativeSession = ChannelClient.connect(server, stolen, "stolen-native");
                RawStompClient stomp = RawStompClient.connect(server)) {
            nativeSession.expect("welcome");
            stomp.send(SockJsService.stompConnect(stolen));
            assertThat(stomp.nextFrame()).startsWith("CONNECTED\n");

            IssuedTickets.revoke(server, "{\"user\":\"victim\"}");

            CloseReason closed = nativeSession.awaitClose();
            assertThat(closed.getCloseCode().getCode()).isEqualTo(1008);
            assertThat(closed.getReasonPhrase()).isEqualTo("revoked");
            assertThat(stomp.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
            // The SockJS session's next poll carries the close frame.
            await("SockJS close frame").atMost(Duration.ofSeconds(30))
                    .until(() -> sockJs.poll().body().contains("c[1008,\"revoked\"]"));
        }
        Attack.Refusal refused = Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(stolen, "stolen-again"));
        Attack.assertRefused(refused, 401, "unauthorized");
        assertThat(refused.body().getString("message")).contains("token revoked");
        Attack.assertRefused(Attack.exchange(server, "POST", "/sockjs/channel/000/" + SockJsEndpoint.freshSessionId()
                + "/xhr?" + Attack.channelQuery(stolen, "stolen-sockjs-again"), ""), 401, "unauthorized");
        try (RawStompClient again = RawStompClient.connect(server)) {
            again.send(SockJsService.stompConnect(stolen));
            assertThat(again.nextFrame()).startsWith("ERROR\n").contains("token revoked");
        }
        assertThat(new HttpApi(server, stolen).post("/api/v1/tickets", "").status()).isEqualTo(401);
    }

    @Test
    void aRevokedTokenIdIsRefusedAndTheUsersOtherTokensStillWork() throws Exception {
        String stolen = IssuedTickets.tokenWithId("holder", "jti-stolen-1");
        IssuedTickets.revoke(server, "{\"jti\":\"jti-stolen-1\"}");
        Attack.assertRefused(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(stolen, "jti-a")), 401,
                "unauthorized");
        assertThat(Attack.upgrade(server, "/ws/channel?" + Attack.channelQuery(
                IssuedTickets.tokenWithId("holder", "jti-fresh-2"), "jti-b")).status()).isEqualTo(101);
    }

    @Test
    void aTicketIsSingleUseOnEveryEndpointAndGuessesAreRefused() throws Exception {
        String token = TestTokens.token("ticket-holder");
        String[] endpoints = {"/ws/channel?channelId=tk-native&ticket=", "/ws/stomp?ticket=",
                "/sockjs/channel/000/" + SockJsEndpoint.freshSessionId() + "/websocket?channelId=tk-sockjs&ticket="};
        for (String endpoint : endpoints) {
            String ticket = IssuedTickets.ticket(server, token);
            TICKETS.add(ticket);
            assertThat(Attack.upgrade(server, endpoint + ticket).status()).as("first use on %s", endpoint).isEqualTo(101);
            for (String replayedOn : endpoints) {
                Attack.Refusal replay = Attack.upgrade(server, replayedOn + ticket);
                assertThat(replay.status()).as("replay on %s", replayedOn).isEqualTo(401);
                assertThat(replay.text()).doesNotContain(ticket);
            }
        }
        // Guesses: as many as the handshake budget of an address allows in a burst, all refused.
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 200; i++) {
            byte[] guess = new byte[32];
            random.nextBytes(guess);
            String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(guess);
            assertThat(Attack.upgrade(server, "/ws/channel?channelId=tk-guess&ticket=" + ticket).status()).isEqualTo(401);
        }
    }
}
