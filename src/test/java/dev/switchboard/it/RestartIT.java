package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A single node without cluster mode restarts: its history is gone, the epoch changes, and a
 * client that resumes is told so instead of silently missing messages.
 */
class RestartIT {

    @Test
    void afterARestartTheEpochChangesAndResumingIsNotRecovered() throws Exception {
        ServerProcess first = ServerProcess.start("restart", Map.of());
        String epoch;
        long offset;
        try (ChannelClient client = ChannelClient.connect(first, TestTokens.token("reader"), "restart-reader")) {
            client.expect("welcome");
            client.send("{\"type\":\"subscribe\",\"topic\":\"restart-news\"}");
            client.expect("subscribed");
            HttpApi.withApiKey(first).post("/api/v1/topics/restart-news/messages", "{\"data\":\"before\"}");
            JsonObject message = client.expect("message");
            epoch = message.getString("epoch");
            offset = message.getJsonNumber("offset").longValue();
            assertThat(first.stop()).isZero();
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
        }
        try (ServerProcess second = first.restarted();
                ChannelClient client = ChannelClient.connect(second, TestTokens.token("reader"), "restart-reader")) {
            client.expect("welcome");
            client.send("{\"type\":\"subscribe\",\"topic\":\"restart-news\",\"since\":{\"offset\":" + offset
                    + ",\"epoch\":\"" + epoch + "\"}}");
            JsonObject subscribed = client.expect("subscribed");
            assertThat(subscribed.getBoolean("recovered")).isFalse();
            assertThat(subscribed.getString("epoch")).isNotEqualTo(epoch);
            assertThat(subscribed.getJsonNumber("offset").longValue()).isZero();
        }
    }
}
