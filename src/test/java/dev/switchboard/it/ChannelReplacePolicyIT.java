package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code replace} channel policy: the newest session wins, the old one is closed with 4009, on
 * the native endpoint and on STOMP (where the old one also gets one ERROR frame).
 */
class ChannelReplacePolicyIT {

    /** Rounds of the STOMP race; each is a fresh pair of connections racing for a fresh channel. */
    private static final int STOMP_RACE_ROUNDS = 20;

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

    @Test
    void twoStompConnectsRacingForOneChannelLeaveOneConnectedSessionAndTheOtherClosedWithOneError() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < STOMP_RACE_ROUNDS; round++) {
                String channel = "stomp-race-" + round;
                String userA = "stomp-racer-a" + round;
                String userB = "stomp-racer-b" + round;
                try (RawStompClient a = RawStompClient.connect(server); RawStompClient b = RawStompClient.connect(server)) {
                    CyclicBarrier startLine = new CyclicBarrier(2);
                    Future<?> sentA = threads.submit(() -> connectAt(startLine, a, userA, channel));
                    Future<?> sentB = threads.submit(() -> connectAt(startLine, b, userB, channel));
                    sentA.get(10, TimeUnit.SECONDS);
                    sentB.get(10, TimeUnit.SECONDS);

                    await("round " + round + ": one session replaced").atMost(Duration.ofSeconds(15))
                            .until(() -> a.isClosed() || b.isClosed());
                    RawStompClient loser = a.isClosed() ? a : b;
                    RawStompClient winner = loser == a ? b : a;
                    String winnerUser = winner == a ? userA : userB;
                    String loserUser = winner == a ? userB : userA;
                    assertThat(loser.awaitClose(10).getCloseCode().getCode()).as("round %d", round).isEqualTo(4009);
                    List<String> loserFrames = loser.takeReceivedFrames();
                    // Replaced before it connected, or after: one ERROR, last, and never a CONNECTED after it.
                    assertThat(loserFrames.stream().map(ChannelReplacePolicyIT::command).toList())
                            .as("round %d: frames to the replaced session %s", round, loserFrames)
                            .isIn(List.of("ERROR"), List.of("CONNECTED", "ERROR"));
                    assertThat(loserFrames.get(loserFrames.size() - 1)).contains("message:replaced by a newer session");

                    assertThat(command(winner.nextFrame())).as("round %d: winner", round).isEqualTo("CONNECTED");
                    winner.send("SUBSCRIBE\nid:0\ndestination:/topic/stomp-race\nreceipt:alive\n\n\0");
                    assertThat(winner.nextFrame()).as("round %d: winner still served", round)
                            .startsWith("RECEIPT\n").contains("receipt-id:alive");
                    assertThat(winner.isClosed()).isFalse();
                    assertThat(ChannelRuleIT.openChannelUsers(server, channel)).as("round %d", round)
                            .containsExactly(winnerUser);
                    await("round " + round + ": the replaced session unregistered").atMost(Duration.ofSeconds(10))
                            .until(() -> sessionCount(loserUser) == 0);
                    assertThat(sessionCount(winnerUser)).isEqualTo(1);
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static Void connectAt(CyclicBarrier startLine, RawStompClient client, String user, String channel)
            throws Exception {
        String connect = "CONNECT\naccept-version:1.2\nhost:localhost\npasscode:" + TestTokens.token(user)
                + "\nchannelId:" + channel + "\n\n\0";
        startLine.await(10, TimeUnit.SECONDS);
        client.send(connect);
        return null;
    }

    private static String command(String frame) {
        return frame.substring(0, frame.indexOf('\n'));
    }

    private static int sessionCount(String user) throws Exception {
        return HttpApi.withApiKey(server).get("/api/v1/users/" + user + "/sessions").json()
                .getJsonArray("sessions").size();
    }
}
