package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cluster behind one real nginx with an upstream of every node and the shipped locations
 * (server-config/nginx/switchboard-cluster.conf): clients and backends see one address, and it
 * behaves as one service whichever node each connection lands on. Runs in the suite's nginx pass
 * ({@code -Dswitchboard.it.front=nginx}), where nginx is installed.
 */
class ClusterBehindNginxIT {

    @RegisterExtension
    static final ClusterNodes cluster = ClusterNodes.of("nginx-cluster", 3, Map.of("trusted.proxies", "127.0.0.1"));

    @Test
    void clientsSpreadOverTheNodesBehindOneAddressAllGetWhatABackendPublishesThere() throws Exception {
        assumeTrue(NginxFront.requested(), "runs in the nginx pass of the suite");
        List<Integer> ports = cluster.all().stream().map(ServerProcess::port).toList();
        try (NginxFront front = NginxFront.start("nginx-cluster", ports)) {
            ServerProcess viaNginx = cluster.node(0).reachedThrough(front);
            // nginx starts listening a moment after its process starts.
            await("nginx in front of the cluster").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> new HttpApi(viaNginx, null).get("/health/ready").status() == 200);
            List<ChannelClient> readers = new ArrayList<>();
            try {
                for (int i = 0; i < 9; i++) {
                    ChannelClient reader = ChannelClient.connect(viaNginx, TestTokens.token("lb-" + i), "lb-" + i);
                    reader.expect("welcome");
                    reader.send("{\"type\":\"subscribe\",\"topic\":\"lb-news\"}");
                    reader.awaitFrame("subscribed");
                    readers.add(reader);
                }
                String nodes = HttpApi.withApiKey(viaNginx).get("/api/v1/channels").body();
                assertThat(List.of(cluster.nodeId(0), cluster.nodeId(1), cluster.nodeId(2)))
                        .as("least_conn spreads nine clients over three nodes").allMatch(nodes::contains);

                HttpApi.Response published = HttpApi.withApiKey(viaNginx).post("/api/v1/topics/lb-news/messages",
                        "{\"data\":\"to all\"}");
                assertThat(published.status()).isEqualTo(202);
                for (ChannelClient reader : readers) {
                    JsonObject message = reader.awaitFrame("message");
                    assertThat(message.getString("data")).isEqualTo("to all");
                }
            } finally {
                for (ChannelClient reader : readers) {
                    reader.close();
                }
            }
        }
    }
}
