package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A resume whose replay would not fit the session's outbound bound answers {@code recovered:
 * false} and leaves the session open, instead of queueing the whole replay at once and closing the
 * session as a slow consumer before it could read any of it (and again at every retry of the same
 * resume: found by the soak run, where readers back from a 40 s pause looped on 4008).
 */
@ContainerMatrix
class ResumeReplayBoundIT {

    private static final String TOPIC = "replay-bound";
    private static final int MESSAGES = 100;
    /** About 2 KB a frame: 100 of them are 200 KB, three times the 64 KiB bound below. */
    private static final String PADDING = "y".repeat(2_000);

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("replay-bound",
            Map.of("outbound.max.bytes", "65536"));
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void aReplayLargerThanHalfTheOutboundBoundIsNotRecoveredAndTheSessionStaysOpenWhileASmallerOneIsReplayed()
            throws Exception {
        try (ChannelClient reader = ChannelClient.connect(server, TestTokens.token("replay-reader"), "replay-reader")) {
            reader.expect("welcome");
            reader.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
            String epoch = reader.expect("subscribed").getString("epoch");
            reader.send("{\"type\":\"unsubscribe\",\"topic\":\"" + TOPIC + "\"}");
            for (int seq = 1; seq <= MESSAGES; seq++) {
                assertThat(api.post("/api/v1/topics/" + TOPIC + "/messages",
                        "{\"data\":{\"seq\":" + seq + ",\"pad\":\"" + PADDING + "\"}}").status()).isEqualTo(202);
            }

            reader.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\",\"since\":{\"offset\":0,\"epoch\":\""
                    + epoch + "\"}}");
            JsonObject tooLong = reader.expect("subscribed");
            assertThat(tooLong.getBoolean("recovered")).as("200 KB replay into a 64 KiB bound").isFalse();
            assertThat(tooLong.getJsonNumber("offset").longValue()).isEqualTo(MESSAGES);
            reader.send("{\"type\":\"ping\"}");
            reader.expect("pong");

            reader.send("{\"type\":\"unsubscribe\",\"topic\":\"" + TOPIC + "\"}");
            reader.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\",\"since\":{\"offset\":" + (MESSAGES - 10)
                    + ",\"epoch\":\"" + epoch + "\"}}");
            for (int seq = MESSAGES - 9; seq <= MESSAGES; seq++) {
                JsonObject message = reader.expect("message");
                assertThat(message.getJsonNumber("offset").longValue()).isEqualTo(seq);
                assertThat(message.getJsonObject("data").getInt("seq")).isEqualTo(seq);
            }
            assertThat(reader.expect("subscribed").getBoolean("recovered")).as("20 KB replay").isTrue();
            assertThat(reader.isOpen()).isTrue();
        }
    }
}
