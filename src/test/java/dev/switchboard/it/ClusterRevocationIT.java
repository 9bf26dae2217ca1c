package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Revocations and tickets across two nodes on one Redis (docs/security.md, Revocation and Connection tickets): a revocation made
 * through one node closes the sessions it covers on both and is refused on both; lifted on one, it
 * is lifted on both; it survives a node's restart; a ticket issued by one node opens a session on
 * the other, once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRevocationIT {

    @RegisterExtension
    static final ClusterNodes cluster = ClusterNodes.of("revocation-cluster", 2, Map.of());

    private static final AtomicInteger CHANNELS = new AtomicInteger();

    private static ServerProcess a() {
        return cluster.node(0);
    }

    private static ServerProcess b() {
        return cluster.node(1);
    }

    private static int handshakeStatus(ServerProcess node, String token) throws Exception {
        return RawUpgrade.send(node, "/ws/channel?token=" + token + "&channelId=crv-" + CHANNELS.incrementAndGet(),
                null).status();
    }

    @Test
    void aRevocationMadeOnOneNodeClosesTheUsersSessionsOnEveryNodeUntilLiftedOnAnother() throws Exception {
        String token = TestTokens.token("ivan");
        try (ChannelClient onA = ChannelClient.connect(a(), token, "crv-ivan-a");
                ChannelClient onB = ChannelClient.connect(b(), token, "crv-ivan-b");
                ChannelClient bystander = ChannelClient.connect(b(), TestTokens.token("judy"), "crv-judy")) {
            onA.expect("welcome");
            onB.expect("welcome");
            bystander.expect("welcome");

            JsonObject made = IssuedTickets.revoke(a(), "{\"user\":\"ivan\"}");

            for (ChannelClient session : new ChannelClient[] {onA, onB}) {
                CloseReason closed = session.awaitClose();
                assertThat(closed.getCloseCode().getCode()).isEqualTo(1008);
                assertThat(closed.getReasonPhrase()).isEqualTo("revoked");
            }
            assertThat(handshakeStatus(b(), token)).isEqualTo(401);
            bystander.send("{\"type\":\"ping\"}");
            bystander.expect("pong");
            HttpApi.Response listedOnB = HttpApi.withApiKey(b()).get("/api/v1/revocations");
            assertThat(listedOnB.json().getJsonArray("revocations").getValuesAs(JsonObject.class))
                    .anySatisfy(r -> assertThat(r.getString("id")).isEqualTo(made.getString("id")));

            assertThat(HttpApi.withApiKey(b()).delete("/api/v1/revocations/" + made.getString("id")).status())
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> handshakeStatus(a(), token) == 101);
        }
    }

    @Test
    void aTicketIssuedByOneNodeOpensOneSessionOnTheOther() throws Exception {
        String ticket = IssuedTickets.ticket(a(), TestTokens.token("kate"));

        try (ChannelClient onB = ChannelClient.connect(
                b().wsUri("/ws/channel?ticket=" + ticket + "&channelId=crv-kate"), null)) {
            assertThat(onB.expect("welcome").getString("user")).isEqualTo("kate");
        }
        assertThat(RawUpgrade.send(a(), "/ws/channel?ticket=" + ticket + "&channelId=crv-kate-2", null).status())
                .isEqualTo(401);
        assertThat(RawUpgrade.send(b(), "/ws/channel?ticket=" + ticket + "&channelId=crv-kate-3", null).status())
                .isEqualTo(401);
    }

    /** Last: node b is replaced by its restarted self, which the other tests do not know. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRevocationSurvivesANodesRestart() throws Exception {
        String token = IssuedTickets.tokenWithId("leo", "jti-leo");
        IssuedTickets.revoke(a(), "{\"jti\":\"jti-leo\"}");
        assertThat(handshakeStatus(b(), token)).isEqualTo(401);

        b().stop();
        ServerProcess restarted = b().restarted();
        try {
            RawUpgrade.Answer refused = RawUpgrade.send(restarted, "/ws/channel?token=" + token + "&channelId=crv-leo",
                    null);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("token revoked");
            assertThat(handshakeStatus(restarted, TestTokens.token("leo"))).as("another token of the user")
                    .isEqualTo(101);
        } finally {
            restarted.close();
        }
    }
}
