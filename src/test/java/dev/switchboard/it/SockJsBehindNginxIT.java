package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two cluster nodes behind a real nginx running the shipped
 * {@code server-config/nginx/switchboard-sockjs.conf}: every request of a SockJS session over
 * HTTP (its stream, its xhr_send, its later polls) reaches the node that holds the session, while
 * sessions spread over both nodes. Without the sticky upstream about half the xhr_sends would land
 * on the other node and be answered 404. Runs in the suite's nginx pass
 * ({@code -Dswitchboard.it.front=nginx}), where nginx is installed.
 */
class SockJsBehindNginxIT {

    private static final int SESSIONS = 16;

    @RegisterExtension
    static final ClusterNodes cluster = ClusterNodes.of("sockjs-nginx", 2, Map.of("trusted.proxies", "127.0.0.1"));

    @Test
    void eachSockJsSessionStaysOnItsNodeWhileSessionsSpreadOverBoth() throws Exception {
        assumeTrue(NginxFront.requested(), "runs in the nginx pass of the suite");
        List<Integer> ports = cluster.all().stream().map(ServerProcess::port).toList();
        try (NginxFront front = NginxFront.startSite("sockjs-nginx", "switchboard-sockjs.conf", ports)) {
            ServerProcess viaNginx = cluster.node(0).reachedThrough(front);
            await("nginx in front of the cluster").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> new HttpApi(viaNginx, null).get("/health/ready").status() == 200);
            HttpApi api = HttpApi.withApiKey(viaNginx);

            List<SockJsStream> streams = new ArrayList<>();
            List<StreamingTransport.Receiver> receivers = new ArrayList<>();
            List<SockJsSession> senders = new ArrayList<>();
            try {
                for (int i = 0; i < SESSIONS; i++) {
                    SockJsEndpoint endpoint = SockJsEndpoint.channel(viaNginx, TestTokens.token("lb-sockjs-" + i),
                            "lb-sockjs-" + i);
                    String id = SockJsEndpoint.freshSessionId();
                    SockJsStream stream = StreamingTransport.XHR_STREAMING.open(endpoint, id);
                    streams.add(stream);
                    StreamingTransport.Receiver receiver = new StreamingTransport.Receiver(StreamingTransport.XHR_STREAMING,
                            stream);
                    receivers.add(receiver);
                    assertThat(receiver.nextMessage()).matches(SockJsService.CHANNEL.isGreeting());
                    SockJsSession sender = new SockJsSession(endpoint, "000", id);
                    senders.add(sender);
                    // Each xhr_send is a new request through nginx: it must find the session's node.
                    for (int ping = 0; ping < 3; ping++) {
                        sender.send("{\"type\":\"ping\"}");
                        assertThat(receiver.nextMessage()).isEqualTo("{\"type\":\"pong\"}");
                    }
                    sender.send("{\"type\":\"subscribe\",\"topic\":\"lb-sockjs-news\"}");
                    receiver.awaitMessage(SockJsService.CHANNEL.isSubscribed("lb-sockjs-news", null));
                }

                Set<String> nodes = channelNodes(api);
                assertThat(nodes).as("nodes holding the SockJS sessions")
                        .containsExactlyInAnyOrder(cluster.nodeId(0), cluster.nodeId(1));

                HttpApi.Response published = api.post("/api/v1/topics/lb-sockjs-news/messages", "{\"data\":\"to all\"}");
                assertThat(published.status()).isEqualTo(202);
                for (StreamingTransport.Receiver receiver : receivers) {
                    String message = receiver.awaitMessage(text -> text.contains("\"topic\":\"lb-sockjs-news\""));
                    assertThat(ChannelClient.JSONB.fromJson(message, JsonObject.class).getString("data")).isEqualTo("to all");
                }
                // A poll while the stream is attached is refused by the session's node; any other
                // node would not know the session and open a new one ("o").
                for (SockJsSession sender : senders) {
                    assertThat(sender.poll().body()).isEqualTo("c[2010,\"Another connection still open\"]\n");
                }
            } finally {
                for (SockJsStream stream : streams) {
                    stream.close();
                }
            }
        }
    }

    private static Set<String> channelNodes(HttpApi api) throws Exception {
        return api.get("/api/v1/channels").json().getJsonArray("channels").stream().map(JsonValue::asJsonObject)
                .filter(channel -> channel.getString("channelId").startsWith("lb-sockjs-"))
                .map(channel -> channel.getString("node")).collect(Collectors.toSet());
    }
}
