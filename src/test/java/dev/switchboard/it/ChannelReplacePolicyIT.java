package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code replace} channel policy: the newest session wins, the old one is closed with 4009. */
class ChannelReplacePolicyIT {

    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start("channel-replace", Map.of("channel.policy", "replace"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void aNewSessionReplacesTheOpenOneWhichIsClosedWith4009() throws Exception {
        try (ChannelClient old = ChannelClient.connect(server, TestTokens.token("agent-1"), "desk-1")) {
            old.expect("welcome");
            try (ChannelClient newer = ChannelClient.connect(server, TestTokens.token("agent-2"), "desk-1")) {
                newer.expect("welcome");
                CloseReason reason = old.awaitClose();
                assertThat(reason.getCloseCode().getCode()).isEqualTo(4009);
                assertThat(ChannelRuleIT.openChannelUsers(server, "desk-1")).containsExactly("agent-2");
                newer.send("{\"type\":\"ping\"}");
                newer.expect("pong");
            }
        }
    }

    @Test
    void aRaceOfTwentyConnectsEndsWithExactlyOneOpenSession() throws Exception {
        int contenders = 20;
        CyclicBarrier start = new CyclicBarrier(contenders);
        ConcurrentLinkedQueue<ChannelClient> clients = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(contenders);
        try {
            List<Future<?>> connects = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String user = "racer-" + i;
                connects.add(threads.submit(() -> {
                    start.await();
                    clients.add(ChannelClient.connect(server, TestTokens.token(user), "replace-race"));
                    return null;
                }));
            }
            for (Future<?> connect : connects) {
                connect.get();
            }
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(clients.stream().filter(ChannelClient::isOpen).count()).isEqualTo(1));
            ChannelClient survivor = clients.stream().filter(ChannelClient::isOpen).findFirst().orElseThrow();
            String survivorUser = survivor.awaitFrame("welcome").getString("user");
            assertThat(ChannelRuleIT.openChannelUsers(server, "replace-race")).containsExactly(survivorUser);
            for (ChannelClient client : clients) {
                if (client != survivor) {
                    assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(4009);
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
