package dev.switchboard.bench.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few HTTP calls the cluster scenarios make: readiness and one publication. Thread safe. */
final class Http {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String apiKey;

    Http(String apiKey) {
        this.apiKey = apiKey;
    }

    /** {@code GET /health/ready}: its status, or -1 if the node did not answer within 2 s. */
    int ready(InetSocketAddress node) {
        return statusOf(HttpRequest.newBuilder(base(node).resolve("/health/ready")).timeout(Duration.ofSeconds(2))
                .build());
    }

    /**
     * {@code POST /api/v1/topics/{topic}/messages} with {@code {"t": intended µs, "seq": seq}} as the
     * data (what the load generator's subscribers check): the status (202 accepted, 503 while the
     * cluster is unavailable), or -1 on an I/O error or after 5 s.
     */
    int publish(InetSocketAddress node, String topic, long intendedMicros, long seq) {
        String body = "{\"data\":{\"t\":" + intendedMicros + ",\"seq\":" + seq + "}}";
        return statusOf(HttpRequest.newBuilder(base(node).resolve("/api/v1/topics/" + topic + "/messages"))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The response's status, or -1 on an I/O error or timeout (the caller counts it as no answer). */
    private int statusOf(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static URI base(InetSocketAddress node) {
        return URI.create("http://127.0.0.1:" + node.getPort() + "/");
    }
}
