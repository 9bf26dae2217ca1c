package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks of two nodes on one Redis, both posting to one receiver: a user with a tab on each node
 * is online once and offline once, and a topic followed on both is occupied once and vacated once.
 */
class ClusterWebhookIT {

    private static final String SECRET = "cluster-webhook-secret";
    private static final WebhookReceiver receiver = startReceiver();

    @RegisterExtension
    static final ClusterNodes cluster = ClusterNodes.of("cluster-webhooks", 2,
            Map.of("webhook.url", receiver.url(), "webhook.secret", SECRET));

    private static WebhookReceiver startReceiver() {
        try {
            return new WebhookReceiver(SECRET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    private static ChannelClient connect(ServerProcess node, String user, String channelId) throws Exception {
        ChannelClient client = ChannelClient.connect(node, TestTokens.token(user), channelId);
        client.expect("welcome");
        return client;
    }

    @Test
    void aUserWithATabOnEachNodeIsOnlineOnceAndOfflineOnce() throws Exception {
        ChannelClient first = connect(cluster.node(0), "agent-x", "cluster-hook-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-x"))
                .containsExactly("channel.opened", "user.online"));
        ChannelClient second = connect(cluster.node(1), "agent-x", "cluster-hook-2");
        // Two nodes post independently: the test orders their events by waiting for each.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-x"))
                .containsExactly("channel.opened", "user.online", "channel.opened"));
        first.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-x"))
                .containsExactly("channel.opened", "user.online", "channel.opened", "channel.closed"));
        second.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-x"))
                .containsExactly("channel.opened", "user.online", "channel.opened", "channel.closed",
                        "channel.closed", "user.offline"));
        List<String> nodes = receiver.events().stream()
                .filter(event -> "agent-x".equals(event.getString("user", null)))
                .map(event -> event.getString("name") + "@" + event.getString("node"))
                .toList();
        // Each event came from the node where it happened: the first tab's node, then the second's.
        String nodeOfFirst = nodes.get(0).substring(nodes.get(0).indexOf('@') + 1);
        assertThat(nodes.get(1)).isEqualTo("user.online@" + nodeOfFirst);
        assertThat(nodes.get(5)).isNotEqualTo("user.offline@" + nodeOfFirst);
        assertThat(receiver.requests()).allSatisfy(request -> assertThat(request.signatureValid()).isTrue());
    }

    @Test
    void aTopicFollowedOnBothNodesIsOccupiedOnceAndVacatedOnce() throws Exception {
        try (ChannelClient first = connect(cluster.node(0), "reader-x", "cluster-hook-reader-1");
                ChannelClient second = connect(cluster.node(1), "reader-y", "cluster-hook-reader-2")) {
            first.send("{\"type\":\"subscribe\",\"topic\":\"cluster-hook-news\"}");
            first.expect("subscribed");
            second.send("{\"type\":\"subscribe\",\"topic\":\"cluster-hook-news\"}");
            second.expect("subscribed");
            first.send("{\"type\":\"unsubscribe\",\"topic\":\"cluster-hook-news\"}");
            second.send("{\"type\":\"unsubscribe\",\"topic\":\"cluster-hook-news\"}");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(receiver.namesFor("cluster-hook-news"))
                            .containsExactly("topic.occupied", "topic.vacated"));
        }
        JsonObject vacated = receiver.events().stream()
                .filter(event -> "topic.vacated".equals(event.getString("name"))).findFirst().orElseThrow();
        assertThat(vacated.getString("topic")).isEqualTo("cluster-hook-news");
    }

    /**
     * A node killed outright never says that its users left: a surviving node reports them offline,
     * and their topics vacated, within the lease (10 s) and its upkeep period (5 s), once. A user
     * who also had a tab on the surviving node stays online.
     */
    @Test
    void theUsersAndTopicsOfAKilledNodeAreReportedOfflineAndVacatedByTheNodeThatSurvives() throws Exception {
        WebhookReceiver ownReceiver = new WebhookReceiver(SECRET);
        try (ownReceiver; ClusterNodes own = ClusterNodes.onOwnRedis("killed-webhooks", 2,
                Map.of("webhook.url", ownReceiver.url(), "webhook.secret", SECRET), false).start()) {
            ServerProcess doomed = own.node(0);
            ServerProcess survivor = own.node(1);
            ChannelClient onDoomed = connect(doomed, "agent-gone", "killed-hook-1");
            onDoomed.send("{\"type\":\"subscribe\",\"topic\":\"killed-hook-news\"}");
            onDoomed.expect("subscribed");
            ChannelClient alsoOnDoomed = connect(doomed, "agent-stays", "killed-hook-2");
            try (ChannelClient onSurvivor = connect(survivor, "agent-stays", "killed-hook-3")) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(ownReceiver.namesFor("agent-gone")).containsExactly("channel.opened", "user.online");
                    assertThat(ownReceiver.namesFor("killed-hook-news")).containsExactly("topic.occupied");
                    assertThat(ownReceiver.namesFor("agent-stays")).contains("user.online");
                });

                doomed.kill();
                assertThat(onDoomed.awaitClose().getCloseCode().getCode()).isEqualTo(1006);
                assertThat(alsoOnDoomed.awaitClose().getCloseCode().getCode()).isEqualTo(1006);

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(ownReceiver.namesFor("agent-gone")).containsExactly("channel.opened", "user.online",
                            "user.offline");
                    assertThat(ownReceiver.namesFor("killed-hook-news")).containsExactly("topic.occupied",
                            "topic.vacated");
                });
                JsonObject offline = ownReceiver.events().stream()
                        .filter(event -> "user.offline".equals(event.getString("name"))).findFirst().orElseThrow();
                assertThat(offline.getString("node")).as("reported by the node that survived")
                        .isEqualTo(own.nodeId(1));
                assertThat(ownReceiver.namesFor("agent-stays")).as("still has a tab on the surviving node")
                        .doesNotContain("user.offline");
                onSurvivor.close();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(ownReceiver.namesFor("agent-stays")).containsOnlyOnce("user.offline"));
            }
        }
    }
}
