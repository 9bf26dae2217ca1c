package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code replace} channel policy across nodes: the newest session wins wherever it connects,
 * and the one it replaces is closed with 4009 by the node that holds it.
 */
class ClusterReplaceIT {

    @RegisterExtension
    static final ClusterNodes cluster = ClusterNodes.of("replace", 3, Map.of("channel.policy", "replace"));

    @Test
    void aSessionOnAnotherNodeReplacesTheOpenOneWhichIsClosedWith4009() throws Exception {
        try (ChannelClient old = ChannelClient.connect(cluster.node(0), TestTokens.token("agent-1"), "desk-1")) {
            old.expect("welcome");
            try (ChannelClient newer = ChannelClient.connect(cluster.node(1), TestTokens.token("agent-2"), "desk-1")) {
                newer.expect("welcome");
                assertThat(old.awaitClose().getCloseCode().getCode()).isEqualTo(4009);
                assertThat(ChannelRuleIT.openChannelUsers(cluster.node(2), "desk-1")).containsExactly("agent-2");
                assertThat(HttpApi.withApiKey(cluster.node(2)).post("/api/v1/channels/desk-1/messages",
                        "{\"data\":\"for the newer\"}").status()).isEqualTo(202);
                assertThat(newer.awaitFrame("message").getString("data")).isEqualTo("for the newer");
            }
        }
    }

    @Test
    void fiftySimultaneousConnectsSpreadOverThreeNodesLeaveExactlyOneOpenSession() throws Exception {
        List<ChannelClient> clients = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(50);
        try {
            CyclicBarrier start = new CyclicBarrier(50);
            List<Future<ChannelClient>> attempts = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ServerProcess node = cluster.node(i % 3);
                String token = TestTokens.token("racer-" + i);
                attempts.add(threads.submit(() -> {
                    start.await();
                    return ChannelClient.connect(node, token, "hot-seat");
                }));
            }
            for (Future<ChannelClient> attempt : attempts) {
                clients.add(attempt.get());
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(clients.stream().filter(ChannelClient::isOpen).count()).isEqualTo(1));
            ChannelClient survivor = clients.stream().filter(ChannelClient::isOpen).findFirst().orElseThrow();
            String survivorUser = survivor.awaitFrame("welcome").getString("user");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(ChannelRuleIT.openChannelUsers(cluster.node(1), "hot-seat"))
                            .containsExactly(survivorUser));
            for (ChannelClient client : clients) {
                if (client != survivor) {
                    CloseReason closed = client.awaitClose();
                    assertThat(closed.getCloseCode().getCode()).as(closed.toString()).isEqualTo(4009);
                }
            }
        } finally {
            threads.shutdownNow();
            for (ChannelClient client : clients) {
                client.close();
            }
        }
    }
}
