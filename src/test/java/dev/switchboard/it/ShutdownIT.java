package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Taking the service out of service: open sessions are told with 1001 (going away), not dropped. */
class ShutdownIT {

    @Test
    @ContainerMatrix
    void undeployingClosesEverySessionWith1001() throws Exception {
        try (ServerProcess server = ServerProcess.start("undeploy", Map.of());
                ChannelClient one = ChannelClient.connect(server, TestTokens.token("alice"), "undeploy-1");
                ChannelClient two = ChannelClient.connect(server, TestTokens.token("bob"), "undeploy-2")) {
            one.expect("welcome");
            two.expect("welcome");
            server.undeploy();
            assertThat(one.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
            assertThat(two.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
            // Who sends the 1001 differs: Switchboard itself on the standalone jar and Tomcat; on
            // WildFly and Payara the server's WebSocket implementation closes the sessions (with
            // 1001 too) before the application hears of the undeploy.
        }
    }

    @Test
    void sigtermStopsTheStandaloneServerWithExitStatusZero() throws Exception {
        ServerProcess server = ServerProcess.start("shutdown", Map.of());
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("alice"), "stop-1")) {
            client.expect("welcome");
            assertThat(server.stop()).isZero();
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
            assertThat(server.output()).contains("Switchboard stopped: closed 1 sessions with 1001 (0 still open");
        } finally {
            server.close();
        }
    }

    /**
     * Holds the drain open deterministically with a session whose queue cannot be flushed: a reader
     * that never reads, subscribed to a topic that was sent far more than the kernel's socket
     * buffers hold (16 MiB against a 4 KiB receive buffer and at most 4 MiB of send buffer).
     * Its 1001 has to wait behind that backlog (the drain sends what is queued first), so the
     * drain waits for it, up to its 5 s bound, while the test looks at readiness and a handshake.
     * Then the test drops that reader: its session ends, the drain completes and the process must
     * exit 0. The queue and send-time limits are raised so that nothing closes the stalled session
     * as a slow consumer before the stop.
     */
    @Test
    void whileTheStandaloneServerDrainsReadinessAndHandshakesAnswer503AndTheProcessStillExitsZero()
            throws Exception {
        ServerProcess server = ServerProcess.start("drain", Map.of("outbound.max.bytes", "67108864",
                "send.timeout.ms", "60000"));
        try (StalledSocketClient stalled = StalledSocketClient.connect(server, TestTokens.token("drain-stalled"),
                "drain-stalled")) {
            HttpApi api = HttpApi.withApiKey(server);
            stalled.sendText("{\"type\":\"subscribe\",\"topic\":\"drain-backlog\"}");
            await("stalled reader subscribed").atMost(Duration.ofSeconds(10)).until(() ->
                    api.get("/api/v1/topics/drain-backlog/presence").body().contains("\"drain-stalled\""));
            String chunk = "{\"data\":\"" + "x".repeat(512 * 1024) + "\"}";
            for (int i = 0; i < 32; i++) {
                assertThat(api.post("/api/v1/topics/drain-backlog/messages", chunk).status()).isEqualTo(202);
            }
            assertThat(readiness(server)).isEqualTo(200);

            server.signalStop();

            await("/health/ready answers 503 during the stop").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(20)).until(() -> readiness(server) == 503);
            assertThat(RawUpgrade.send(server, ChannelClient.channelUri(server, TestTokens.token("late"), "drain-late"),
                    null).status()).as("a handshake during the drain").isEqualTo(503);
            assertThat(server.isAlive()).as("still draining, not stopped").isTrue();
            stalled.close();
            assertThat(server.awaitExit()).isZero();
            assertThat(server.output()).contains("Switchboard stopped: closed 1 sessions with 1001");
        } finally {
            server.close();
        }
    }

    private static int readiness(ServerProcess server) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri("/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
