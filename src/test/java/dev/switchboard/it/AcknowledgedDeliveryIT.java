package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages pushed with {@code "ack": true} (docs/protocol.md, Delivery guarantees): they wait for an offline user,
 * are redelivered until acknowledged, one ack clears them for every session, and they are
 * dead-lettered after the last attempt.
 */
class AcknowledgedDeliveryIT {

    // Short backoff so redeliveries happen within a test: 300 ms, then 600 ms; 3 deliveries in all.
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("acked-delivery",
            Map.of("ack.backoff.ms", "300", "ack.backoff.max.ms", "600", "ack.max.attempts", "3"));

    private static final HttpApi api = HttpApi.withApiKey(server);

    private static ChannelClient connect(String user, String channelId) throws Exception {
        ChannelClient client = ChannelClient.connect(server, TestTokens.token(user), channelId);
        client.expect("welcome");
        return client;
    }

    @Test
    void aCallPushedWhileTheAgentIsOfflineArrivesWhenTheAgentConnects() throws Exception {
        String id = api.post("/api/v1/users/agent-offline/messages",
                "{\"data\":{\"caller\":\"+49 30 1234\"},\"destination\":\"calls\",\"ack\":true}").json().getString("id");
        assertThat(pendingIds("agent-offline")).containsExactly(id);

        try (ChannelClient agent = connect("agent-offline", "ack-offline")) {
            JsonObject call = agent.expect("message");
            assertThat(call.getString("id")).isEqualTo(id);
            assertThat(call.getBoolean("ack")).isTrue();
            assertThat(call.getJsonObject("data").getString("caller")).isEqualTo("+49 30 1234");
            agent.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> pendingIds("agent-offline").isEmpty());
        }
    }

    @Test
    void anUnackedMessageIsRedeliveredAndOneAckClearsItForEverySession() throws Exception {
        try (ChannelClient desk = connect("agent-two", "ack-desk"); ChannelClient phone = connect("agent-two", "ack-phone")) {
            String id = api.post("/api/v1/users/agent-two/messages", "{\"data\":\"ring\",\"ack\":true}").json()
                    .getString("id");
            assertThat(desk.expect("message").getString("id")).isEqualTo(id);
            assertThat(phone.expect("message").getString("id")).isEqualTo(id);
            assertThat(desk.expect("message").getString("id")).as("redelivered without an ack").isEqualTo(id);
            assertThat(phone.expect("message").getString("id")).isEqualTo(id);

            phone.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> pendingIds("agent-two").isEmpty());
            api.post("/api/v1/users/agent-two/messages", "{\"data\":\"marker\"}");
            // A redelivery already queued before the ack may still arrive; after it, only the marker.
            JsonObject next = desk.expect("message");
            if (next.getString("id").equals(id)) {
                next = desk.expect("message");
            }
            assertThat(next.getString("data")).isEqualTo("marker");
        }
    }

    @Test
    void aMessageNobodyAcksBecomesADeadLetter() throws Exception {
        try (ChannelClient ignorer = connect("agent-ignoring", "ack-ignored")) {
            String id = api.post("/api/v1/users/agent-ignoring/messages", "{\"data\":\"ring\",\"ack\":true}").json()
                    .getString("id");
            for (int delivery = 1; delivery <= 3; delivery++) {
                assertThat(ignorer.expect("message").getString("id")).isEqualTo(id);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonObject inbox = api.get("/api/v1/users/agent-ignoring/inbox").json();
                assertThat(inbox.getJsonArray("pending")).isEmpty();
                JsonObject dead = inbox.getJsonArray("deadLetters").getJsonObject(0);
                assertThat(dead.getString("id")).isEqualTo(id);
                assertThat(dead.getInt("attempts")).isEqualTo(3);
                assertThat(dead.getString("reason")).contains("not acknowledged");
            });
            assertThat(api.get("/api/v1/stats").json().getJsonObject("total").getJsonNumber("deadLettered").longValue())
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void ackRequiredChannelMessagesSurviveAReconnectOfTheChannel() throws Exception {
        String id;
        try (ChannelClient first = connect("agent-chan", "ack-chan")) {
            id = api.post("/api/v1/channels/ack-chan/messages", "{\"data\":\"incoming call\",\"ack\":true}").json()
                    .getString("id");
            assertThat(first.expect("message").getString("id")).isEqualTo(id);
            assertThat(api.get("/api/v1/channels/ack-chan/inbox").json().getJsonArray("pending").getJsonObject(0)
                    .getString("channel")).isEqualTo("ack-chan");
        } // closed without acking
        await().atMost(Duration.ofSeconds(10)).until(() -> ChannelRuleIT.openChannelUsers(server, "ack-chan").isEmpty());
        try (ChannelClient again = connect("agent-chan", "ack-chan")) {
            JsonObject redelivered = again.expect("message");
            assertThat(redelivered.getString("id")).isEqualTo(id);
            assertThat(redelivered.getString("channel")).isEqualTo("ack-chan");
            again.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    api.get("/api/v1/channels/ack-chan/inbox").json().getJsonArray("pending").isEmpty());
        }
    }

    private static java.util.List<String> pendingIds(String user) throws Exception {
        return api.get("/api/v1/users/" + user + "/inbox").json().getJsonArray("pending").stream()
                .map(value -> value.asJsonObject().getString("id")).toList();
    }
}
