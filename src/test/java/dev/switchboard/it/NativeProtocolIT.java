package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.security.TokenVerifier;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Frames of the native protocol and every bad-input answer of docs/protocol.md. */
@ContainerMatrix
class NativeProtocolIT {

    /**
     * How long the expiring token of {@link #aSessionLivesWhileItsTokenCountsAndIsClosedWith1008WhenItRunsOut}
     * still counts when it is minted: the handshake must happen within it (it took 2 s before, which
     * a loaded CI machine sometimes missed: a 401 instead of a session), and the test waits it out.
     */
    private static final Duration TOKEN_LEFT = Duration.ofSeconds(8);

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("native-protocol",
            Map.of("max.bad.frames", "5", "history.size", "500"));

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
    void resubscribingWithSinceReplaysTheMissedMessagesThenAnswersRecovered() throws Exception {
        try (ChannelClient publisher = connect("pub", "np-resume-pub", "publisher")) {
            String epoch;
            try (ChannelClient reader = connect("reader", "np-resume")) {
                reader.send("{\"type\":\"subscribe\",\"topic\":\"np-resume\"}");
                epoch = reader.expect("subscribed").getString("epoch");
                publisher.send("{\"type\":\"publish\",\"topic\":\"np-resume\",\"data\":1}");
                assertThat(reader.expect("message").getJsonNumber("offset").longValue()).isEqualTo(1);
            }
            // Missed while away: offsets 2 and 3.
            publisher.send("{\"type\":\"publish\",\"topic\":\"np-resume\",\"data\":2}");
            publisher.send("{\"type\":\"publish\",\"topic\":\"np-resume\",\"data\":3}");
            publisher.send("{\"type\":\"ping\"}");
            publisher.expect("pong"); // both publishes were handled before this
            try (ChannelClient back = ChannelClient.connect(server, TestTokens.token("reader"), "np-resume-2")) {
                back.expect("welcome");
                back.send("{\"type\":\"subscribe\",\"topic\":\"np-resume\",\"since\":{\"offset\":1,\"epoch\":\""
                        + epoch + "\"}}");
                assertThat(back.expect("message").getJsonNumber("offset").longValue()).isEqualTo(2);
                assertThat(back.expect("message").getJsonNumber("offset").longValue()).isEqualTo(3);
                JsonObject subscribed = back.expect("subscribed");
                assertThat(subscribed.getBoolean("recovered")).isTrue();
                assertThat(subscribed.getJsonNumber("offset").longValue()).isEqualTo(3);
                publisher.send("{\"type\":\"publish\",\"topic\":\"np-resume\",\"data\":4}");
                assertThat(back.expect("message").getJsonNumber("offset").longValue()).isEqualTo(4);
            }
        }
    }

    @Test
    void resumingFromBeyondTheHistoryOrAnotherEpochIsNotRecoveredAndSaysSo() throws Exception {
        try (ChannelClient publisher = connect("pub", "np-gap-pub", "publisher");
                ChannelClient reader = connect("reader", "np-gap")) {
            for (int i = 1; i <= 510; i++) { // the server keeps 500
                publisher.send("{\"type\":\"publish\",\"topic\":\"np-gap\",\"data\":" + i + "}");
            }
            publisher.send("{\"type\":\"ping\"}");
            publisher.expect("pong");
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-gap\"}");
            String epoch = reader.expect("subscribed").getString("epoch");
            reader.send("{\"type\":\"unsubscribe\",\"topic\":\"np-gap\"}");
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-gap\",\"since\":{\"offset\":1,\"epoch\":\""
                    + epoch + "\"}}");
            JsonObject gap = reader.expect("subscribed");
            assertThat(gap.getBoolean("recovered")).isFalse();
            assertThat(gap.getJsonNumber("offset").longValue()).isEqualTo(510);
            reader.send("{\"type\":\"unsubscribe\",\"topic\":\"np-gap\"}");
            reader.send("{\"type\":\"subscribe\",\"topic\":\"np-gap\",\"since\":{\"offset\":510,\"epoch\":\"other\"}}");
            assertThat(reader.expect("subscribed").getBoolean("recovered")).isFalse();
        }
    }

    @Test
    void resumingOnANewConnectionWhilePublishingContinuesLeavesNoGapAndNoDuplicateAtTheSeam() throws Exception {
        int total = 300;
        Thread publisher;
        long lastSeen;
        String epoch;
        try (ChannelClient publisherSession = connect("pub", "np-seam-pub", "publisher")) {
            try (ChannelClient first = connect("reader", "np-seam")) {
                first.send("{\"type\":\"subscribe\",\"topic\":\"np-seam\"}");
                epoch = first.expect("subscribed").getString("epoch");
                publisher = new Thread(() -> publishNumbers(publisherSession, "np-seam", total));
                publisher.start();
                lastSeen = first.expect("message").getJsonNumber("offset").longValue();
            } // the first connection goes away while publishing continues
            try (ChannelClient second = connect("reader", "np-seam-2")) {
                second.send("{\"type\":\"subscribe\",\"topic\":\"np-seam\",\"since\":{\"offset\":" + lastSeen
                        + ",\"epoch\":\"" + epoch + "\"}}");
                java.util.List<Long> offsets = new java.util.ArrayList<>();
                Boolean recovered = null;
                while (recovered == null || offsets.isEmpty() || offsets.get(offsets.size() - 1) < total) {
                    JsonObject frame = second.next();
                    if (frame.getString("type").equals("subscribed")) {
                        recovered = frame.getBoolean("recovered");
                    } else {
                        offsets.add(frame.getJsonNumber("offset").longValue());
                    }
                }
                publisher.join(30_000);
                assertThat(recovered).isTrue();
                assertThat(offsets).first().isEqualTo(lastSeen + 1);
                assertThat(offsets).hasSize((int) (total - lastSeen)).doesNotHaveDuplicates().isSorted();
            }
        }
    }

    /** Publishes 1..count to {@code topic} from a publisher session (the server keeps one session's order). */
    private static void publishNumbers(ChannelClient publisher, String topic, int count) {
        try {
            for (int i = 1; i <= count; i++) {
                publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":" + i + "}");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
    void aSessionLivesWhileItsTokenCountsAndIsClosedWith1008WhenItRunsOut() throws Exception {
        // A token counts until its exp plus the server's clock skew. Minted with exp in the past, so
        // that this end comes TOKEN_LEFT from now (exp has whole seconds: the end is computed from it).
        Instant validUntil = Instant.now().plus(TOKEN_LEFT).truncatedTo(ChronoUnit.SECONDS);
        String token = TestTokens.tokenExpiringAt("alice",
                validUntil.minusSeconds(TokenVerifier.CLOCK_SKEW_SECONDS));
        try (ChannelClient client = ChannelClient.connect(server, token, "np-expiring")) {
            client.expect("welcome");
            // Open up to a second before the end (however long the handshake took)...
            Duration stillValid = Duration.between(Instant.now(), validUntil.minusSeconds(1));
            if (!stillValid.isNegative() && !stillValid.isZero()) {
                await("session while its token counts").during(stillValid).atMost(stillValid.plusSeconds(5))
                        .until(client::isOpen);
            }
            // ...then closed with 1008 once it has run out.
            await("close after the token ran out").atMost(Duration.ofSeconds(15)).until(() -> !client.isOpen());
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
