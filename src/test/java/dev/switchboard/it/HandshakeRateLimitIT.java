package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The 429 row of the handshake table, on a server with a tiny handshake budget. */
class HandshakeRateLimitIT {

    // 3 handshakes, then one more per 1000 s: the test cannot be saved by a refill.
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("rate-limit",
            Map.of("handshake.rate", "0.001", "handshake.burst", "3"));

    @Test
    void handshakesBeyondTheBudgetOfAnAddressAre429AndOpenSessionsStayUp() throws Exception {
        try (ChannelClient open = ChannelClient.connect(server, TestTokens.token("alice"), "rl-1")) {
            open.expect("welcome");
            assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(server, "bad", "rl-2"), null))
                    .isEqualTo(401); // second handshake: still within budget
            RawUpgrade.Answer third = RawUpgrade.send(server, "/ws/channel?channelId=rl-3", null);
            assertThat(third.status()).isEqualTo(400); // third: within budget
            RawUpgrade.Answer fourth = RawUpgrade.send(server, "/ws/channel?channelId=rl-4", null);
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.body()).contains("\"error\":\"rate_limited\"");
            assertThat(ChannelClient.refusalStatus(
                    ChannelClient.channelUri(server, TestTokens.token("alice"), "rl-5"), null)).isEqualTo(429);
            open.send("{\"type\":\"ping\"}");
            open.expect("pong");
        }
    }
}
