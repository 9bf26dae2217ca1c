package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Frames of the native protocol and every bad-input answer of CONTRACT.md section 2. */
class NativeProtocolIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("native-protocol", Map.of("max.bad.frames", "5"));

    private static ChannelClient connect(String user, String channelId, String... roles) throws Exception {
        ChannelClient client = ChannelClient.connect(server, TestTokens.token(user, roles), channelId);
        client.expect("welcome");
        return client;
    }

    @Test
    void pingIsAnsweredWithPong() throws Exception {
        try (ChannelClient client = connect("alice", "np-ping")) {
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }

    @Test
    void echoRepliesOnTopicEchoAsInTheSeedWalkThrough() throws Exception {
        try (ChannelClient client = connect("alice", "np-echo")) {
            client.send("{\"type\":\"subscribe\",\"topic\":\"echo\"}");
            client.expect("subscribed");
            client.send("{\"type\":\"send\",\"to\":\"echo\",\"data\":\"hello\"}");
            JsonObject reply = client.expect("message");
            assertThat(reply.getString("topic")).isEqualTo("echo");
            assertThat(reply.getString("data")).isEqualTo("reply: hello");
        }
    }

    @Test
    void subscribersOfATopicReceivePublicationsWithIncreasingOffsets() throws Exception {
        try (ChannelClient publisher = connect("pub", "np-pub", "publisher");
                ChannelClient reader = connect("reader", "np-reader")) {
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-news\"}");
            JsonObject subscribed = reader.expect("subscribed");
            assertThat(subscribed.getJsonNumber("offset").longValue()).isZero();
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            publisher.send("{\"type\":\"publish\",\"topic\":\"np-news\",\"data\":{\"headline\":\"one\"}}");
            publisher.send("{\"type\":\"publish\",\"topic\":\"np-news\",\"data\":\"two\"}");
            JsonObject first = reader.expect("message");
            JsonObject second = reader.expect("message");
            assertThat(first.getJsonObject("data").getString("headline")).isEqualTo("one");
            assertThat(first.getJsonNumber("offset").longValue()).isEqualTo(1);
            assertThat(second.getString("data")).isEqualTo("two");
            assertThat(second.getJsonNumber("offset").longValue()).isEqualTo(2);
            assertThat(second.getString("epoch")).isEqualTo(subscribed.getString("epoch"));
            assertThat(first.getString("id")).isNotEqualTo(second.getString("id"));
        }
    }

    @Test
    void resubscribingFromTheCurrentPositionIsRecoveredAndFromAnOlderOneIsNot() throws Exception {
        try (ChannelClient publisher = connect("pub", "np-resume-pub", "publisher");
                ChannelClient reader = connect("reader", "np-resume")) {
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-resume\"}");
            String epoch = reader.expect("subscribed").getString("epoch");
            publisher.send("{\"type\":\"publish\",\"topic\":\"np-resume\",\"data\":1}");
            long offset = reader.expect("message").getJsonNumber("offset").longValue();
            reader.send("{\"type\":\"unsubscribe\",\"topic\":\"np-resume\"}");
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-resume\",\"since\":{\"offset\":" + offset
                    + ",\"epoch\":\"" + epoch + "\"}}");
            assertThat(reader.expect("subscribed").getBoolean("recovered")).isTrue();
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-resume\",\"since\":{\"offset\":0,\"epoch\":\"" + epoch
                    + "\"}}");
            assertThat(reader.expect("subscribed").getBoolean("recovered")).isFalse();
        }
    }

    @Test
    void publishingWithoutThePublisherRoleIsForbiddenAndDeliversNothing() throws Exception {
        try (ChannelClient outsider = connect("mallory", "np-outsider");
                ChannelClient reader = connect("reader", "np-forbidden-reader")) {
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-guarded\"}");
            reader.expect("subscribed");
            outsider.send("{\"type\":\"publish\",\"topic\":\"np-guarded\",\"data\":\"spam\"}");
            JsonObject error = outsider.expect("error");
            assertThat(error.getString("code")).isEqualTo("forbidden");
            assertThat(error.getJsonObject("ref").getString("type")).isEqualTo("publish");
            assertThat(error.getJsonObject("ref").getString("topic")).isEqualTo("np-guarded");
            // The reader's next frame is its own pong: nothing from mallory came in between.
            reader.send("{\"type\":\"ping\"}");
            reader.expect("pong");
        }
    }

    @Test
    void malformedJsonGetsAnErrorAndTheSessionStaysOpen() throws Exception {
        try (ChannelClient client = connect("alice", "np-malformed")) {
            client.send("{not json");
            JsonObject error = client.expect("error");
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).isEqualTo("malformed JSON");
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }

    @Test
    void unknownTypeAndWrongFieldTypesAreNamedInTheError() throws Exception {
        try (ChannelClient client = connect("alice", "np-unknown")) {
            client.send("{\"type\":\"teleport\",\"topic\":\"x\"}");
            JsonObject unknown = client.expect("error");
            assertThat(unknown.getString("code")).isEqualTo("bad_request");
            assertThat(unknown.getJsonObject("ref").getString("type")).isEqualTo("teleport");
            client.send("{\"type\":\"subscribe\",\"topic\":\"bad topic!\"}");
            JsonObject badTopic = client.expect("error");
            assertThat(badTopic.getJsonObject("ref").getString("topic")).isEqualTo("bad topic!");
            client.send("[1,2,3]");
            assertThat(client.expect("error").getString("message")).isEqualTo("frame must be a JSON object");
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }

    @Test
    void sendingToAnUnknownHandlerIsNotFound() throws Exception {
        try (ChannelClient client = connect("alice", "np-no-handler")) {
            client.send("{\"type\":\"send\",\"to\":\"nowhere\",\"data\":1}");
            assertThat(client.expect("error").getString("code")).isEqualTo("not_found");
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesWith1009AndOthersAreUndisturbed() throws Exception {
        try (ChannelClient bystander = connect("bob", "np-bystander");
                ChannelClient client = connect("alice", "np-oversize")) {
            client.send("{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"" + "x".repeat(70_000) + "\"}");
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1009);
            bystander.send("{\"type\":\"ping\"}");
            bystander.expect("pong");
        }
    }

    @Test
    void aFrameJustUnderTheSizeLimitIsAccepted() throws Exception {
        try (ChannelClient publisher = connect("pub", "np-large", "publisher")) {
            publisher.send("{\"type\":\"subscribe\",\"topic\":\"np-large\"}");
            publisher.expect("subscribed");
            String data = "y".repeat(65_000);
            publisher.send("{\"type\":\"publish\",\"topic\":\"np-large\",\"data\":\"" + data + "\"}");
            assertThat(publisher.expect("message").getString("data")).isEqualTo(data);
        }
    }

    @Test
    void aBinaryFrameClosesWith1003() throws Exception {
        try (ChannelClient client = connect("alice", "np-binary")) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1003);
        }
    }

    @Test
    void repeatedMalformedFramesCloseWith1008() throws Exception {
        try (ChannelClient client = connect("alice", "np-abuse")) {
            for (int i = 0; i < 5; i++) {
                client.send("garbage " + i);
            }
            for (int i = 0; i < 5; i++) {
                client.expect("error");
            }
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void aSessionIsClosedWith1008WhenItsTokenExpires() throws Exception {
        // Accepted thanks to the 30 s clock skew, so it runs out about two seconds from now.
        String token = TestTokens.tokenExpiringAt("alice", java.time.Instant.now().minusSeconds(28));
        try (ChannelClient client = ChannelClient.connect(server, token, "np-expiring")) {
            client.expect("welcome");
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1008);
        }
    }

    @Test
    void ackOfAnUnknownIdIsHarmless() throws Exception {
        try (ChannelClient client = connect("alice", "np-ack")) {
            client.send("{\"type\":\"ack\",\"id\":\"no-such-message\"}");
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }
}
