package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three nodes sharing one Redis act as one service (docs/cluster.md): every
 * client connects to one node, every backend call goes to another, and each promise of a single
 * node holds across them.
 */
class ClusterIT {

    @RegisterExtension
    static final ClusterNodes cluster = ClusterNodes.of("cluster", 3, Map.of());

    private static ServerProcess a() {
        return cluster.node(0);
    }

    private static ServerProcess b() {
        return cluster.node(1);
    }

    private static ServerProcess c() {
        return cluster.node(2);
    }

    @Test
    void aTopicMessagePublishedOnOneNodeReachesSubscribersOnEveryNodeWithOneOffset() throws Exception {
        try (ChannelClient onA = subscribed(a(), "reader-a", "news-x");
                ChannelClient onB = subscribed(b(), "reader-b", "news-x")) {
            HttpApi.Response published = HttpApi.withApiKey(c()).post("/api/v1/topics/news-x/messages",
                    "{\"data\":{\"n\":1}}");
            assertThat(published.status()).isEqualTo(202);
            long offset = ChannelClient.JSONB.fromJson(published.body(), JsonObject.class).getJsonNumber("offset")
                    .longValue();

            for (ChannelClient reader : List.of(onA, onB)) {
                JsonObject message = reader.awaitFrame("message");
                assertThat(message.getString("topic")).isEqualTo("news-x");
                assertThat(message.getJsonNumber("offset").longValue()).isEqualTo(offset);
                assertThat(message.getJsonObject("data").getInt("n")).isEqualTo(1);
            }
        }
    }

    @Test
    void aUserPushReachesTheUsersSessionsOnEveryNodeAndTheReceiptCountsThem() throws Exception {
        try (ChannelClient onA = welcomed(a(), "carol", "carol-desk");
                ChannelClient onB = welcomed(b(), "carol", "carol-phone")) {
            HttpApi.Response pushed = HttpApi.withApiKey(c()).post("/api/v1/users/carol/messages",
                    "{\"data\":\"ring\"}");

            assertThat(pushed.status()).isEqualTo(202);
            assertThat(ChannelClient.JSONB.fromJson(pushed.body(), JsonObject.class).getInt("sessions")).isEqualTo(2);
            for (ChannelClient session : List.of(onA, onB)) {
                JsonObject message = session.awaitFrame("message");
                assertThat(message.getString("user")).isEqualTo("carol");
                assertThat(message.getString("data")).isEqualTo("ring");
            }
        }
    }

    @Test
    void aChannelPushAndADisconnectThroughAnotherNodeReachTheChannelsNode() throws Exception {
        try (ChannelClient agent = welcomed(a(), "dave", "dave-desk")) {
            HttpApi.Response pushed = HttpApi.withApiKey(b()).post("/api/v1/channels/dave-desk/messages",
                    "{\"data\":\"incoming call\"}");
            assertThat(pushed.status()).isEqualTo(202);
            assertThat(agent.awaitFrame("message").getString("data")).isEqualTo("incoming call");

            HttpApi.Response listed = HttpApi.withApiKey(c()).get("/api/v1/channels");
            assertThat(listed.body()).contains("\"dave-desk\"").contains("\"" + cluster.nodeId(0) + "\"");

            assertThat(HttpApi.withApiKey(c()).delete("/api/v1/channels/dave-desk").status()).isEqualTo(204);
            assertThat(agent.awaitClose().getCloseCode().getCode()).isEqualTo(4000);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(HttpApi.withApiKey(b()).post("/api/v1/channels/dave-desk/messages",
                            "{\"data\":1}").status()).isEqualTo(404));
        }
    }

    @Test
    void aBroadcastReachesEveryNodesSessions() throws Exception {
        try (ChannelClient onA = welcomed(a(), "erin", "erin-a");
                ChannelClient onB = welcomed(b(), "frank", "frank-b");
                ChannelClient onC = welcomed(c(), "gina", "gina-c")) {
            assertThat(HttpApi.withApiKey(a()).post("/api/v1/broadcast", "{\"data\":\"maintenance\"}").status())
                    .isEqualTo(202);
            for (ChannelClient session : List.of(onA, onB, onC)) {
                assertThat(session.awaitFrame("message").getString("data")).isEqualTo("maintenance");
            }
        }
    }

    @Test
    void fiftySimultaneousConnectsSpreadOverThreeNodesLeaveExactlyOneSessionUnderReject() throws Exception {
        List<ChannelClient> opened = new ArrayList<>();
        List<Integer> refusals = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(50);
        try {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(50);
            List<Future<Object>> attempts = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                ServerProcess node = cluster.node(i % 3);
                String token = TestTokens.token("racer-" + i);
                attempts.add(threads.submit(() -> {
                    start.await();
                    try {
                        return ChannelClient.connect(node, token, "hot-desk");
                    } catch (jakarta.websocket.DeploymentException e) {
                        return ChannelClient.refusalStatusOf(e);
                    }
                }));
            }
            for (Future<Object> attempt : attempts) {
                Object outcome = attempt.get();
                if (outcome instanceof ChannelClient client) {
                    opened.add(client);
                } else {
                    refusals.add((Integer) outcome);
                }
            }
            assertThat(opened).as("sessions opened").hasSize(1);
            assertThat(refusals).hasSize(49).containsOnly(409);
            assertThat(ChannelRuleIT.openChannelUsers(b(), "hot-desk")).hasSize(1);
        } finally {
            threads.shutdownNow();
            for (ChannelClient client : opened) {
                client.close();
            }
        }
    }

    @Test
    void aClientResumesOnAnotherNodeWithAnExactReplayAndThenLiveMessages() throws Exception {
        String topic = "resume-x";
        JsonObject position;
        try (ChannelClient first = subscribed(a(), "henry", topic)) {
            for (int i = 1; i <= 20; i++) {
                publish(a(), topic, i);
            }
            JsonObject last = null;
            for (int i = 1; i <= 20; i++) {
                last = first.awaitFrame("message");
                assertThat(last.getInt("data")).isEqualTo(i);
            }
            position = last;
        }
        for (int i = 21; i <= 50; i++) {
            publish(c(), topic, i);
        }
        try (ChannelClient resumed = welcomed(b(), "henry", "henry-resumed")) {
            resumed.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":{\"offset\":"
                    + position.getJsonNumber("offset").longValue() + ",\"epoch\":\"" + position.getString("epoch")
                    + "\"}}");
            List<Integer> replayed = new ArrayList<>();
            for (int i = 21; i <= 50; i++) {
                replayed.add(resumed.expect("message").getInt("data"));
            }
            assertThat(replayed).as("the exact replay, in order").isEqualTo(
                    java.util.stream.IntStream.rangeClosed(21, 50).boxed().toList());
            JsonObject subscribed = resumed.expect("subscribed");
            assertThat(subscribed.getBoolean("recovered")).isTrue();
            assertThat(subscribed.getJsonNumber("offset").longValue())
                    .isEqualTo(position.getJsonNumber("offset").longValue() + 30);
            publish(a(), topic, 51);
            assertThat(resumed.expect("message").getInt("data")).isEqualTo(51);
        }
    }

    @Test
    void concurrentPublishersOnTwoNodesGiveOffsetsOneApartAndEverySubscriberOneOrder() throws Exception {
        String topic = "busy-x";
        int perNode = 300;
        try (ChannelClient onA = subscribed(a(), "ivy", topic);
                ChannelClient onC = subscribed(c(), "jack", topic)) {
            ExecutorService publishers = Executors.newFixedThreadPool(2);
            try {
                List<Future<Void>> done = new ArrayList<>();
                for (ServerProcess node : List.of(a(), b())) {
                    done.add(publishers.submit(() -> {
                        HttpApi api = HttpApi.withApiKey(node);
                        for (int i = 0; i < perNode; i++) {
                            assertThat(api.post("/api/v1/topics/" + topic + "/messages", "{\"data\":" + i + "}")
                                    .status()).isEqualTo(202);
                        }
                        return null;
                    }));
                }
                for (Future<Void> future : done) {
                    future.get();
                }
            } finally {
                publishers.shutdownNow();
            }
            List<String> seenOnA = offsetsAndIds(onA, 2 * perNode);
            List<String> seenOnC = offsetsAndIds(onC, 2 * perNode);
            assertThat(seenOnA).isEqualTo(seenOnC);
            long first = Long.parseLong(seenOnA.get(0).split(" ")[0]);
            for (int i = 0; i < seenOnA.size(); i++) {
                assertThat(Long.parseLong(seenOnA.get(i).split(" ")[0])).as("offset %d", i).isEqualTo(first + i);
            }
        }
    }

    @Test
    void anAckRequiredPushAckedOnAnotherNodeIsNotRedelivered() throws Exception {
        HttpApi.Response pushed = HttpApi.withApiKey(a()).post("/api/v1/users/kate/messages",
                "{\"data\":\"call 7\",\"ack\":true}");
        assertThat(pushed.status()).isEqualTo(202);
        String id = ChannelClient.JSONB.fromJson(pushed.body(), JsonObject.class).getString("id");
        try (ChannelClient onB = welcomed(b(), "kate", "kate-desk")) {
            JsonObject message = onB.awaitFrame("message");
            assertThat(message.getString("id")).isEqualTo(id);
            assertThat(message.getBoolean("ack")).isTrue();
            onB.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(HttpApi.withApiKey(c()).get("/api/v1/users/kate/inbox").body())
                            .doesNotContain(id));
        }
        try (ChannelClient again = welcomed(c(), "kate", "kate-desk-2")) {
            again.send("{\"type\":\"ping\"}");
            assertThat(again.expect("pong")).isNotNull(); // nothing was waiting before the pong
        }
    }

    @Test
    void statsPresenceAndSessionsCoverEveryNode() throws Exception {
        try (ChannelClient onA = subscribed(a(), "liam", "lobby-x");
                ChannelClient onB = subscribed(b(), "mia", "lobby-x")) {
            HttpApi api = HttpApi.withApiKey(c());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(api.get("/api/v1/topics/lobby-x/presence").body()).contains("\"liam\"", "\"mia\"");
                // Node c follows nothing itself: the two followers on a and b are listed from Redis.
                assertThat(api.get("/api/v1/topics").body()).contains("{\"topic\":\"lobby-x\",\"users\":2}");
                assertThat(api.get("/api/v1/users/liam/sessions").body()).contains(cluster.nodeId(0));
                assertThat(api.get("/api/v1/stats").body()).contains(cluster.nodeId(0), cluster.nodeId(1),
                        cluster.nodeId(2));
            });
        }
    }

    @Test
    void stompClientsOnTwoNodesShareTopicsAndUserDestinationsWithNativeClients() throws Exception {
        try (RawStompClient onA = stompConnected(a(), "nora");
                RawStompClient onB = stompConnected(b(), "oscar");
                ChannelClient nativeOnC = subscribed(c(), "pia", "mixed-x")) {
            onA.send("SUBSCRIBE\nid:1\ndestination:/topic/mixed-x\nreceipt:r1\n\n\0");
            assertThat(onA.nextFrame()).startsWith("RECEIPT\nreceipt-id:r1");
            onB.send("SUBSCRIBE\nid:2\ndestination:/user/queue/calls\nreceipt:r2\n\n\0");
            assertThat(onB.nextFrame()).startsWith("RECEIPT\nreceipt-id:r2");

            // A STOMP SEND on node B reaches STOMP on A and native on C, with one offset.
            onB.send("SEND\ndestination:/topic/mixed-x\ncontent-type:application/json\n\n{\"from\":\"b\"}\0");
            String onAFrame = onA.nextFrame();
            assertThat(onAFrame).startsWith("MESSAGE\n").contains("destination:/topic/mixed-x").endsWith(
                    "{\"from\":\"b\"}\0");
            JsonObject nativeMessage = nativeOnC.awaitFrame("message");
            assertThat(nativeMessage.getJsonObject("data").getString("from")).isEqualTo("b");
            assertThat(onAFrame).contains("offset:" + nativeMessage.getJsonNumber("offset").longValue());

            // A backend's push through node C reaches the user's STOMP session on B.
            assertThat(HttpApi.withApiKey(c()).post("/api/v1/users/oscar/messages",
                    "{\"data\":\"line 3\",\"destination\":\"calls\"}").status()).isEqualTo(202);
            assertThat(onB.nextFrame()).startsWith("MESSAGE\n").contains("destination:/user/queue/calls")
                    .endsWith("\n\nline 3\0"); // a JSON string travels as its text (docs/stomp.md)
        }
    }

    // --- helpers ---

    private static RawStompClient stompConnected(ServerProcess node, String user) throws Exception {
        RawStompClient client = RawStompClient.connect(node);
        client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nAuthorization:Bearer "
                + TestTokens.token(user, "publisher") + "\n\n\0");
        assertThat(client.nextFrame()).startsWith("CONNECTED\n");
        return client;
    }

    private static ChannelClient welcomed(ServerProcess node, String user, String channelId) throws Exception {
        ChannelClient client = ChannelClient.connect(node, TestTokens.token(user), channelId);
        client.expect("welcome");
        return client;
    }

    private static ChannelClient subscribed(ServerProcess node, String user, String topic) throws Exception {
        ChannelClient client = welcomed(node, user, user + "-" + topic);
        client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        client.awaitFrame("subscribed");
        return client;
    }

    private static void publish(ServerProcess node, String topic, int n) throws Exception {
        assertThat(HttpApi.withApiKey(node).post("/api/v1/topics/" + topic + "/messages", "{\"data\":" + n + "}")
                .status()).isEqualTo(202);
    }

    /** The next {@code count} messages as "offset id", in the order they arrived. */
    private static List<String> offsetsAndIds(ChannelClient client, int count) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonObject message = client.awaitFrame("message");
            seen.add(message.getJsonNumber("offset").longValue() + " " + message.getString("id"));
        }
        return seen;
    }
}
