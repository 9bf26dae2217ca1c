package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

/** One open session per channel under the default {@code reject} policy (CONTRACT.md section 2). */
class ChannelRuleIT {

    private static ServerProcess server;
    private static HttpApi api;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start("channel-rule", Map.of());
        api = HttpApi.withApiKey(server);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void fiftySimultaneousConnectsToOneChannelLeaveExactlyOneOpenSession() throws Exception {
        int contenders = 50;
        CyclicBarrier start = new CyclicBarrier(contenders);
        ConcurrentLinkedQueue<ChannelClient> opened = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(contenders);
        try {
            List<Future<Integer>> outcomes = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                String user = "racer-" + i;
                outcomes.add(threads.submit(() -> {
                    start.await();
                    try {
                        opened.add(ChannelClient.connect(server, TestTokens.token(user), "race"));
                        return 101;
                    } catch (jakarta.websocket.DeploymentException e) {
                        return ChannelClient.refusalStatusOf(e);
                    }
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> outcome : outcomes) {
                statuses.add(outcome.get());
            }
            assertThat(statuses).filteredOn(s -> s == 101).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(contenders - 1);
            ChannelClient winner = opened.peek();
            String winnerUser = winner.expect("welcome").getString("user");
            assertThat(openChannelUsers("race")).containsExactly(winnerUser);
        } finally {
            threads.shutdownNow();
            for (ChannelClient client : opened) {
                client.close();
            }
        }
    }

    @Test
    void aClosedSessionReleasesItsChannel() throws Exception {
        ChannelClient first = ChannelClient.connect(server, TestTokens.token("alice"), "release-on-close");
        first.expect("welcome");
        first.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> openChannelUsers("release-on-close").isEmpty());
        try (ChannelClient second = ChannelClient.connect(server, TestTokens.token("bob"), "release-on-close")) {
            assertThat(second.expect("welcome").getString("user")).isEqualTo("bob");
        }
    }

    @Test
    void anAbruptlyDroppedConnectionReleasesItsChannel() throws Exception {
        String query = "/ws/channel?channelId=dropped&token="
                + URLEncoder.encode(TestTokens.token("alice"), StandardCharsets.UTF_8);
        assertThat(RawUpgrade.upgradeAndDropConnection(server, query)).isEqualTo(101);
        await().atMost(Duration.ofSeconds(10)).until(() -> openChannelUsers("dropped").isEmpty());
        try (ChannelClient next = ChannelClient.connect(server, TestTokens.token("bob"), "dropped")) {
            next.expect("welcome");
        }
    }

    @Test
    void theChannelListShowsUserNodeAndSince() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("carol"), "listed")) {
            client.expect("welcome");
            JsonObject entry = api.get("/api/v1/channels").json().getJsonArray("channels").stream()
                    .map(JsonValue::asJsonObject).filter(c -> c.getString("channelId").equals("listed"))
                    .findFirst().orElseThrow();
            assertThat(entry.getString("user")).isEqualTo("carol");
            assertThat(entry.getString("node")).isNotBlank();
            assertThat(java.time.Instant.parse(entry.getString("since"))).isBefore(java.time.Instant.now().plusSeconds(1));
        }
    }

    static List<String> openChannelUsers(ServerProcess server, String channelId) throws Exception {
        return HttpApi.withApiKey(server).get("/api/v1/channels").json().getJsonArray("channels").stream()
                .map(JsonValue::asJsonObject).filter(c -> c.getString("channelId").equals(channelId))
                .map(c -> c.getString("user")).toList();
    }

    private static List<String> openChannelUsers(String channelId) throws Exception {
        return openChannelUsers(server, channelId);
    }
}
