package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks as a backend sees them: a real HTTP receiver, started here, gets signed JSON arrays of
 * user, channel and topic events from the real server, again after it answered 500.
 */
class WebhookIT {

    private static final String SECRET = "webhook-test-secret";
    private static final WebhookReceiver receiver = startReceiver();

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("webhooks",
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

    private static ChannelClient connect(String user, String channelId) throws Exception {
        ChannelClient client = ChannelClient.connect(server, TestTokens.token(user), channelId);
        client.expect("welcome");
        return client;
    }

    @Test
    void aUsersFirstSessionAndLastCloseAreOnlineAndOffline() throws Exception {
        ChannelClient desk = connect("agent-1", "webhook-desk");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(receiver.namesFor("agent-1"))
                        .containsExactly("channel.opened", "user.online"));
        ChannelClient phone = connect("agent-1", "webhook-phone");
        desk.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-1"))
                .containsExactly("channel.opened", "user.online", "channel.opened", "channel.closed"));
        phone.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-1"))
                .containsExactly("channel.opened", "user.online", "channel.opened", "channel.closed", "channel.closed",
                        "user.offline"));

        JsonObject opened = receiver.events().stream()
                .filter(e -> "channel.opened".equals(e.getString("name")) && "agent-1".equals(e.getString("user")))
                .findFirst().orElseThrow();
        assertThat(opened.getString("channelId")).isEqualTo("webhook-desk");
        assertThat(opened.getString("protocol")).isEqualTo("native");
        assertThat(opened.getString("session")).isNotBlank();
        assertThat(opened.getString("id")).isNotBlank();
        assertThat(opened.getJsonNumber("ts").longValue()).isPositive();
        JsonObject closed = receiver.events().stream()
                .filter(e -> "channel.closed".equals(e.getString("name")) && "agent-1".equals(e.getString("user")))
                .findFirst().orElseThrow();
        assertThat(closed.getInt("code")).isEqualTo(1000);
        assertThat(receiver.requests()).allSatisfy(request -> assertThat(request.signatureValid()).isTrue());
    }

    @Test
    void aTopicIsOccupiedByItsFirstSubscriberAndVacatedByItsLast() throws Exception {
        try (ChannelClient first = connect("reader-1", "webhook-reader-1");
                ChannelClient second = connect("reader-2", "webhook-reader-2")) {
            first.send("{\"type\":\"subscribe\",\"topic\":\"webhook-news\"}");
            first.expect("subscribed");
            second.send("{\"type\":\"subscribe\",\"topic\":\"webhook-news\"}");
            second.expect("subscribed");
            first.send("{\"type\":\"unsubscribe\",\"topic\":\"webhook-news\"}");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(receiver.namesFor("webhook-news"))
                            .containsExactly("topic.occupied"));
            second.send("{\"type\":\"unsubscribe\",\"topic\":\"webhook-news\"}");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("webhook-news"))
                    .containsExactly("topic.occupied", "topic.vacated"));
        }
    }

    @Test
    void eventsAnswered500AreSentAgainInOrder() throws Exception {
        receiver.failFirstRequestAbout("agent-retry");
        try (ChannelClient client = connect("agent-retry", "webhook-retry")) {
            // The refused POST's events come again, with the same ids, and nothing overtakes them.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(receiver.namesFor("agent-retry")).filteredOn("channel.opened"::equals).hasSize(2);
                assertThat(distinctInOrder("agent-retry")).containsExactly("channel.opened", "user.online");
            });
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(distinctInOrder("agent-retry"))
                .containsExactly("channel.opened", "user.online", "channel.closed", "user.offline"));
        assertThat(receiver.requests()).allSatisfy(request -> assertThat(request.signatureValid()).isTrue());
    }

    /**
     * A server that stops (SIGTERM) closes every session with 1001 and still sends those sessions'
     * last events: what a backend needs most is to learn that its agents went offline.
     */
    @Test
    void aStoppingServerStillSendsTheOfflineEventsOfTheSessionsItCloses() throws Exception {
        ServerProcess stopping = ServerProcess.start("webhooks-stopping",
                Map.of("webhook.url", receiver.url(), "webhook.secret", SECRET));
        try {
            try (ChannelClient desk = ChannelClient.connect(stopping, TestTokens.token("agent-at-stop"), "stop-desk")) {
                desk.expect("welcome");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(receiver.namesFor("agent-at-stop"))
                        .containsExactly("channel.opened", "user.online"));
                assertThat(stopping.stop()).isZero();
                assertThat(desk.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
            }
            assertThat(receiver.namesFor("agent-at-stop"))
                    .containsExactly("channel.opened", "user.online", "channel.closed", "user.offline");
        } finally {
            if (stopping.isAlive()) {
                stopping.stop();
            }
        }
    }

    /** The types of {@code user}'s events in the order they first arrived, each event (id) once. */
    private static List<String> distinctInOrder(String user) {
        List<String> types = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonObject event : receiver.events()) {
            if (user.equals(event.getString("user", null)) && seen.add(event.getString("id"))) {
                types.add(event.getString("name"));
            }
        }
        return types;
    }
}
