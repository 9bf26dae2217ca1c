package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code replace} channel policy: the newest session wins, the old one is closed with 4009. */
class ChannelReplacePolicyIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("channel-replace", Map.of("channel.policy", "replace"));

    @Test
    void aNewSessionReplacesTheOpenOneWhichIsClosedWith4009() throws Exception {
        try (ChannelClient old = ChannelClient.connect(server, TestTokens.token("agent-1"), "desk-1")) {
            old.expect("welcome");
            try (ChannelClient newer = ChannelClient.connect(server, TestTokens.token("agent-2"), "desk-1")) {
                newer.expect("welcome");
                CloseReason reason = old.awaitClose();
                assertThat(reason.getCloseCode().getCode()).isEqualTo(4009);
                assertThat(ChannelRuleIT.openChannelUsers(server, "desk-1")).containsExactly("agent-2");
                newer.send("{\"type\":\"ping\"}");
                newer.expect("pong");
            }
        }
    }

    @Test
    void aRaceOfTwentyConnectsEndsWithExactlyOneOpenSession() throws Exception {
        try (ConnectRace race = ConnectRace.run(server, "replace-race", 20)) {
            List<ChannelClient> clients = race.openedClients();
            assertThat(clients).as("under replace, no handshake is refused").hasSize(20);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(clients.stream().filter(ChannelClient::isOpen).count()).isEqualTo(1));
            ChannelClient survivor = clients.stream().filter(ChannelClient::isOpen).findFirst().orElseThrow();
            String survivorUser = survivor.awaitFrame("welcome").getString("user");
            assertThat(ChannelRuleIT.openChannelUsers(server, "replace-race")).containsExactly(survivorUser);
            for (ChannelClient client : clients) {
                if (client != survivor) {
                    assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(4009);
                }
            }
        }
    }
}
