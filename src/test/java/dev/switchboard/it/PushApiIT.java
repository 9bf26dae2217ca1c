package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A backend pushing through the HTTP API (docs/http-api.md) to real WebSocket clients. */
@ContainerMatrix
class PushApiIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("push-api", Map.of());
    private static final HttpApi api = HttpApi.withApiKey(server);

    private static ChannelClient connect(String user, String channelId) throws Exception {
        ChannelClient client = ChannelClient.connect(server, TestTokens.token(user), channelId);
        client.expect("welcome");
        return client;
    }

    @Test
    void topicPushReachesSubscribersWithOffsetAndEpoch() throws Exception {
        try (ChannelClient reader = connect("reader", "api-topic")) {
            reader.send("{\"type\":\"subscribe\",\"topic\":\"api-news\"}");
            String epoch = reader.expect("subscribed").getString("epoch");
            HttpApi.Response response = api.post("/api/v1/topics/api-news/messages", "{\"data\":{\"n\":1}}");
            assertThat(response.status()).isEqualTo(202);
            JsonObject receipt = response.json();
            assertThat(receipt.getJsonNumber("offset").longValue()).isEqualTo(1);
            assertThat(receipt.getString("epoch")).isEqualTo(epoch);
            JsonObject message = reader.expect("message");
            assertThat(message.getString("id")).isEqualTo(receipt.getString("id"));
            assertThat(message.getString("topic")).isEqualTo("api-news");
            assertThat(message.getJsonObject("data").getInt("n")).isEqualTo(1);
            assertThat(message.getJsonNumber("ts").longValue()).isPositive();
        }
    }

    @Test
    void userPushReachesEverySessionOfThatUserAndNoOneElse() throws Exception {
        try (ChannelClient desk = connect("agent-7", "api-user-desk");
                ChannelClient phone = connect("agent-7", "api-user-phone");
                ChannelClient other = connect("agent-8", "api-user-other")) {
            HttpApi.Response response = api.post("/api/v1/users/agent-7/messages",
                    "{\"data\":{\"caller\":\"+49 30 1234\"},\"destination\":\"calls\"}");
            assertThat(response.status()).isEqualTo(202);
            assertThat(response.json().getInt("sessions")).isEqualTo(2);
            for (ChannelClient session : new ChannelClient[] {desk, phone}) {
                JsonObject message = session.expect("message");
                assertThat(message.getString("user")).isEqualTo("agent-7");
                assertThat(message.getString("destination")).isEqualTo("calls");
                assertThat(message.getJsonObject("data").getString("caller")).isEqualTo("+49 30 1234");
            }
            other.send("{\"type\":\"ping\"}");
            other.expect("pong"); // first frame after welcome: agent-8 got nothing
        }
    }

    @Test
    void aUserPushWrittenInSpringsQueueFormCarriesTheBareDestinationName() throws Exception {
        try (ChannelClient desk = connect("agent-9", "api-user-spring")) {
            HttpApi.Response response = api.post("/api/v1/users/agent-9/messages",
                    "{\"data\":\"call\",\"destination\":\"/queue/notifications\"}");
            assertThat(response.status()).isEqualTo(202);
            assertThat(desk.expect("message").getString("destination")).isEqualTo("notifications");
        }
    }

    @Test
    void aUserDestinationInNoneOfTheThreeFormsIs400AndNamesTheForms() throws Exception {
        for (String written : List.of("/queue/", "/topic/notifications", "/user/queue/a/b",
                "/user/agent-9/queue/notifications", "")) {
            HttpApi.Response response = api.post("/api/v1/users/agent-9/messages",
                    "{\"data\":1,\"destination\":\"" + written + "\"}");
            assertThat(response.status()).as("destination '%s'", written).isEqualTo(400);
            assertThat(response.json().getString("error")).isEqualTo("bad_request");
            assertThat(response.json().getString("message")).isEqualTo(
                    "destination must be <name>, /queue/<name> or /user/queue/<name>, with <name> matching "
                            + "[A-Za-z0-9._:-]{1,128}");
        }
    }

    @Test
    void channelPushReachesTheChannelsSessionAnd404WithoutOne() throws Exception {
        try (ChannelClient client = connect("agent", "api-channel")) {
            HttpApi.Response response = api.post("/api/v1/channels/api-channel/messages",
                    "{\"data\":\"incoming call\",\"ack\":true}");
            assertThat(response.status()).isEqualTo(202);
            JsonObject message = client.expect("message");
            assertThat(message.getString("channel")).isEqualTo("api-channel");
            assertThat(message.getString("data")).isEqualTo("incoming call");
            assertThat(message.getBoolean("ack")).isTrue();
            assertThat(message.getString("id")).isEqualTo(response.json().getString("id"));
        }
        HttpApi.Response none = api.post("/api/v1/channels/api-nobody/messages", "{\"data\":1}");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.json().getString("error")).isEqualTo("not_found");
    }

    @Test
    void broadcastReachesEveryOpenSession() throws Exception {
        try (ChannelClient one = connect("u1", "api-bc-1"); ChannelClient two = connect("u2", "api-bc-2")) {
            HttpApi.Response response = api.post("/api/v1/broadcast", "{\"data\":\"maintenance at 5\"}");
            assertThat(response.status()).isEqualTo(202);
            assertThat(response.json().getInt("sessions")).isGreaterThanOrEqualTo(2);
            for (ChannelClient client : new ChannelClient[] {one, two}) {
                JsonObject message = client.expect("message");
                assertThat(message.getBoolean("broadcast")).isTrue();
                assertThat(message.getString("data")).isEqualTo("maintenance at 5");
            }
        }
    }

    @Test
    void operatorDisconnectClosesTheChannelWith4000() throws Exception {
        try (ChannelClient client = connect("agent", "api-kick")) {
            assertThat(api.delete("/api/v1/channels/api-kick").status()).isEqualTo(204);
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(4000);
        }
        // The channel is released when the server has finished the session, which may be a moment
        // after the client read the close frame (the close handshake ends it): then it is gone.
        await("channel released").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> api.delete("/api/v1/channels/api-kick").status() == 404);
    }

    @Test
    void userSessionsAndTopicPresenceAreListed() throws Exception {
        try (ChannelClient a = connect("presence-user", "api-pres-1"); ChannelClient b = connect("presence-user", "api-pres-2")) {
            a.send("{\"type\":\"subscribe\",\"topic\":\"api-presence\"}");
            a.expect("subscribed");
            JsonObject sessions = api.get("/api/v1/users/presence-user/sessions").json();
            assertThat(sessions.getJsonArray("sessions").stream().map(JsonValue::asJsonObject)
                    .map(s -> s.getString("channelId"))).containsExactlyInAnyOrder("api-pres-1", "api-pres-2");
            JsonObject presence = api.get("/api/v1/topics/api-presence/presence").json();
            assertThat(presence.getJsonArray("users").getString(0)).isEqualTo("presence-user");
            assertThat(presence.getJsonArray("users")).hasSize(1);

            try (ChannelClient other = connect("presence-other", "api-pres-3")) {
                other.send("{\"type\":\"subscribe\",\"topic\":\"api-presence\"}");
                other.expect("subscribed");
                JsonObject topics = api.get("/api/v1/topics").json();
                assertThat(topics.getBoolean("truncated")).isFalse();
                assertThat(usersOfListedTopic(topics, "api-presence")).isEqualTo(2);
            }
        }
        // Every follower gone: the topic is no longer listed.
        await("topic no longer listed").atMost(Duration.ofSeconds(10))
                .until(() -> usersOfListedTopic(api.get("/api/v1/topics").json(), "api-presence") == 0);
        assertThat(api.post("/api/v1/topics", "{}").status()).isEqualTo(405);
    }

    /** The users of {@code topic} in a GET /api/v1/topics answer, 0 if it is not listed. */
    private static int usersOfListedTopic(JsonObject topics, String topic) {
        return topics.getJsonArray("topics").stream().map(JsonValue::asJsonObject)
                .filter(entry -> entry.getString("topic").equals(topic))
                .mapToInt(entry -> entry.getInt("users")).findFirst().orElse(0);
    }

    @Test
    void statsAndMetricsCountTraffic() throws Exception {
        try (ChannelClient reader = connect("reader", "api-stats")) {
            reader.send("{\"type\":\"subscribe\",\"topic\":\"api-stats\"}");
            reader.expect("subscribed");
            long before = api.get("/api/v1/stats").json().getJsonObject("total").getJsonNumber("messagesIn").longValue();
            api.post("/api/v1/topics/api-stats/messages", "{\"data\":1}");
            reader.expect("message");
            JsonObject stats = api.get("/api/v1/stats").json();
            assertThat(stats.getJsonObject("total").getJsonNumber("messagesIn").longValue()).isEqualTo(before + 1);
            assertThat(stats.getJsonObject("total").getInt("sessions")).isGreaterThanOrEqualTo(1);
            assertThat(stats.getJsonArray("nodes")).hasSize(1);
            String metrics = new HttpApi(server, null).get("/metrics").body();
            assertThat(metrics).contains("# TYPE switchboard_messages_in_total counter")
                    .containsPattern("switchboard_sessions [1-9]");
        }
    }

    @Test
    void requestsWithoutOrWithWrongCredentialsAre401AndNonAdminTokensAre403() throws Exception {
        assertThat(new HttpApi(server, null).get("/api/v1/stats").status()).isEqualTo(401);
        HttpApi.Response wrongKey = new HttpApi(server, "wrong-key").get("/api/v1/stats");
        assertThat(wrongKey.status()).isEqualTo(401);
        assertThat(wrongKey.json().getString("error")).isEqualTo("unauthorized");
        HttpApi.Response notAdmin = new HttpApi(server, TestTokens.token("alice", "publisher")).get("/api/v1/stats");
        assertThat(notAdmin.status()).isEqualTo(403);
        assertThat(new HttpApi(server, TestTokens.token("root", "admin")).get("/api/v1/stats").status()).isEqualTo(200);
    }

    @Test
    void invalidBodiesAre400AndOversizeBodiesAre413() throws Exception {
        HttpApi.Response notJson = api.post("/api/v1/topics/t/messages", "{oops");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().getString("error")).isEqualTo("bad_request");
        assertThat(api.post("/api/v1/topics/t/messages", "{\"nodata\":1}").status()).isEqualTo(400);
        assertThat(api.post("/api/v1/topics/bad%20topic/messages", "{\"data\":1}").status()).isEqualTo(400);
        HttpApi.Response tooBig = api.post("/api/v1/broadcast", "{\"data\":\"" + "x".repeat(1024 * 1024) + "\"}");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.json().getString("error")).isEqualTo("too_large");
        assertThat(api.get("/api/v1/nothing-here").status()).isEqualTo(404);
    }

    @Test
    void healthEndpointsAnswerWithoutCredentials() throws Exception {
        HttpApi anonymous = new HttpApi(server, null);
        assertThat(anonymous.get("/health/live").status()).isEqualTo(200);
        assertThat(anonymous.get("/health/ready").json().getString("status")).isEqualTo("UP");
    }
}
