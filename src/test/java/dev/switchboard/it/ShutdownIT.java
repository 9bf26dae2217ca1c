package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

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
}
