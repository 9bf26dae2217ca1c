package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stopping the standalone server with SIGTERM, as an operator or orchestrator does. */
class ShutdownIT {

    @Test
    void sigtermClosesEverySessionWith1001AndExitsWithZero() throws Exception {
        ServerProcess server = ServerProcess.start("shutdown", Map.of());
        try (ChannelClient one = ChannelClient.connect(server, TestTokens.token("alice"), "stop-1");
                ChannelClient two = ChannelClient.connect(server, TestTokens.token("bob"), "stop-2")) {
            one.expect("welcome");
            two.expect("welcome");
            int exitStatus = server.stop();
            assertThat(one.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
            assertThat(two.awaitClose().getCloseCode().getCode()).isEqualTo(1001);
            assertThat(exitStatus).isZero();
            assertThat(server.output()).contains("Switchboard stopped: closed 2 sessions with 1001 (0 still open");
        } finally {
            server.close();
        }
    }
}
