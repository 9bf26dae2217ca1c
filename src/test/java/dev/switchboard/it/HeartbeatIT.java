package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** WebSocket pings find peers that stopped answering without closing (half-open TCP). */
@ContainerMatrix
class HeartbeatIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("heartbeat", Map.of("heartbeat.ms", "1000"));

    @Test
    void aPeerThatStopsAnsweringIsClosedAndItsChannelFreed() throws Exception {
        // Completes the upgrade (it fails unless 101), then reads nothing and answers no ping.
        try (StalledSocketClient zombie = StalledSocketClient.connect(server, TestTokens.token("zombie"), "half-open")) {
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
