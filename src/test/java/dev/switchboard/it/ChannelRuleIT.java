package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One open session per channel under the default {@code reject} policy (docs/protocol.md, Native endpoint). */
@ContainerMatrix
class ChannelRuleIT {

    /*
     * heartbeat.ms 2000: a connection dropped without a close frame is freed either when the
     * container reports the reset (seen at once on Tomcat and WildFly) or when it misses two
     * heart-beats (seen on Payara, which did not always report a reset right after the upgrade),
     * so within 15 s either way.
     */
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("channel-rule", Map.of("heartbeat.ms", "2000"));
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void fiftySimultaneousConnectsToOneChannelLeaveExactlyOneOpenSession() throws Exception {
        try (ConnectRace race = ConnectRace.run(server, "race", 50)) {
            assertThat(race.openedClients()).hasSize(1);
            assertThat(race.outcomes()).filteredOn(outcome -> !outcome.opened())
                    .extracting(ConnectRace.Outcome::refusalStatus).hasSize(49).containsOnly(409);
            String winnerUser = race.openedClients().get(0).expect("welcome").getString("user");
            assertThat(openChannelUsers("race")).containsExactly(winnerUser);
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
        await().atMost(Duration.ofSeconds(15)).until(() -> openChannelUsers("dropped").isEmpty());
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
