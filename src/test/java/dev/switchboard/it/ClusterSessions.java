package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** What the cluster failure tests do as clients and backends, in the words of the contract. */
final class ClusterSessions {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClusterSessions() {
    }

    /** A native session of {@code user} on {@code channelId}, past its welcome frame. */
    static ChannelClient welcomed(ServerProcess node, String user, String channelId) throws Exception {
        ChannelClient client = ChannelClient.connect(node, TestTokens.token(user), channelId);
        client.expect("welcome");
        return client;
    }

    /** Sends {@code subscribe}, with {@code since} taken from a message frame's offset and epoch if given. */
    static void subscribe(ChannelClient client, String topic, JsonObject since) throws IOException {
        String position = since == null ? "" : ",\"since\":{\"offset\":" + since.getJsonNumber("offset").longValue()
                + ",\"epoch\":\"" + since.getString("epoch") + "\"}";
        client.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"" + position + "}");
    }

    /** Publishes {@code n} to {@code topic} through {@code node}; returns the 202 receipt (id, offset, epoch). */
    static JsonObject publish(ServerProcess node, String topic, int n) throws Exception {
        HttpApi.Response published = HttpApi.withApiKey(node).post("/api/v1/topics/" + topic + "/messages",
                "{\"data\":" + n + "}");
        assertThat(published.status()).as("publish %d to %s: %s", n, topic, published.body()).isEqualTo(202);
        return published.json();
    }

    /** {@code GET /health/ready}, as a load balancer calls it (no credentials). */
    static HttpApi.Response readiness(ServerProcess node) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(node.uri("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new HttpApi.Response(response.statusCode(), response.body(), response.headers());
    }

    static long offset(JsonObject frame) {
        return frame.getJsonNumber("offset").longValue();
    }
}
