package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WebSocket pings find peers that stopped answering without closing (half-open TCP). */
class HeartbeatIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("heartbeat", Map.of("heartbeat.ms", "1000"));

    @Test
    void aPeerThatStopsAnsweringIsClosedAndItsChannelFreed() throws Exception {
        String query = "/ws/channel?channelId=half-open&token="
                + URLEncoder.encode(TestTokens.token("zombie"), StandardCharsets.UTF_8);
        try (Socket zombie = new Socket("127.0.0.1", server.port())) {
            zombie.getOutputStream().write(("GET " + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = zombie.getInputStream();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
            // From here on the peer reads nothing and answers no ping, but keeps the TCP connection open.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ChannelRuleIT.openChannelUsers(server, "half-open").equals(java.util.List.of("zombie")));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> ChannelRuleIT.openChannelUsers(server, "half-open").isEmpty());
            assertThat(server.output()).contains("answered no heart-beat for two intervals; closing with 4001");
            try (ChannelClient successor = ChannelClient.connect(server, TestTokens.token("agent"), "half-open")) {
                successor.expect("welcome");
            }
        }
    }

    @Test
    void aPeerThatAnswersPingsStaysConnectedWhileIdle() throws Exception {
        try (ChannelClient idle = ChannelClient.connect(server, TestTokens.token("idle"), "idle-but-alive")) {
            idle.expect("welcome");
            // The Tyrus client answers pings by itself: idle for over three intervals, it must stay.
            await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(5)).until(idle::isOpen);
            HttpApi.withApiKey(server).post("/api/v1/channels/idle-but-alive/messages", "{\"data\":\"still here\"}");
            assertThat(idle.expect("message").getString("data")).isEqualTo("still here");
        }
    }
}
