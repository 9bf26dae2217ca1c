package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Input built to exhaust a parser or a table: frames over the size limit, JSON nested far past
 * any sane depth (in frames and in HTTP API bodies), STOMP header bombs (more headers, longer
 * header lines and larger frames than the decoder's limits, before and after CONNECT), and 100,000
 * subscribe attempts on one session. Each gets its documented answer; the server and the control
 * client carry on.
 */
@ContainerMatrix
class OversizeInputAttackIT {

    private static final int MAX_FRAME = 64 * 1024;

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("attack-oversize", Map.of());
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server);

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server);
    }
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void aNativeFrameOverTheLimitClosesWith1009() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("big", "publisher"), "big-frame")) {
            client.expect("welcome");
            String padding = "x".repeat(MAX_FRAME);
            client.send("{\"type\":\"publish\",\"topic\":\"big\",\"data\":\"" + padding + "\"}");
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(1009);
        }
    }

    @Test
    void deeplyNestedJsonInANativeFrameIsABadRequestAndTheSessionStaysOpen() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("nest", "publisher"), "nested")) {
            client.expect("welcome");
            int depth = 30_000; // 60 KB of brackets: under the frame limit, far over the 512 levels allowed
            for (String nested : new String[] {"[".repeat(depth) + "]".repeat(depth),
                    "{\"a\":".repeat(depth / 5) + "1" + "}".repeat(depth / 5), "[".repeat(depth)}) {
                client.send("{\"type\":\"publish\",\"topic\":\"nest\",\"data\":" + nested + "}");
                JsonObject error = client.expect("error");
                assertThat(error.getString("code")).isEqualTo("bad_request");
            }
            // The whole frame nested, not only data.
            client.send("[".repeat(depth) + "]".repeat(depth));
            assertThat(client.expect("error").getString("code")).isEqualTo("bad_request");
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }

    @Test
    void deeplyNestedOrOversizeJsonInTheHttpApiIsRefused() throws Exception {
        int depth = 200_000;
        Attack.assertRefused(post("/api/v1/topics/nest/messages", "{\"data\":" + "[".repeat(depth) + "]".repeat(depth)
                + "}"), 400, "bad_request");
        // 100,000 objects deep: 600 KB, under the 1 MiB body limit.
        Attack.assertRefused(post("/api/v1/broadcast", "{\"data\":" + "{\"a\":".repeat(depth / 2) + "1"
                + "}".repeat(depth / 2) + "}"), 400, "bad_request");
        Attack.assertRefused(post("/api/v1/users/alice/messages", "[".repeat(depth)), 400, "bad_request");
        Attack.assertRefused(post("/api/v1/topics/nest/messages", "{\"data\":" + "[".repeat(513) + "]".repeat(513)
                + "}"), 400, "bad_request");
        assertThat(post("/api/v1/topics/nest/messages", "{\"data\":" + "[".repeat(511) + "]".repeat(511) + "}")
                .status()).isEqualTo(202);
        Attack.assertRefused(post("/api/v1/topics/big/messages", "{\"data\":\"" + "x".repeat(1024 * 1024) + "\"}"), 413,
                "too_large");
    }

    @Test
    void stompHeaderBombsAreAnErrorAndACloseBeforeAndAfterConnect() throws Exception {
        String manyHeaders = "h:v\n".repeat(65);
        String longHeader = "h:" + "v".repeat(8 * 1024) + "\n";
        String hugeBody = "x".repeat(MAX_FRAME);
        String[] bombs = {
            "CONNECT\naccept-version:1.2\nhost:x\n" + manyHeaders + "\n\0",
            "CONNECT\naccept-version:1.2\nhost:x\n" + longHeader + "\n\0",
            "CONNECT\naccept-version:1.2\nhost:x\n\n" + hugeBody + "\0",
            "CONNECT" + "X".repeat(8 * 1024) + "\n\n\0",
        };
        for (String bomb : bombs) {
            try (RawStompClient client = RawStompClient.connect(server)) {
                client.send(bomb);
                assertErrorAndClose(client);
            }
        }
        String[] afterConnect = {
            "SEND\ndestination:/topic/bomb\n" + manyHeaders + "\nbody\0",
            "SEND\ndestination:/topic/bomb\n" + longHeader + "\nbody\0",
            "SEND\ndestination:/topic/bomb\ncontent-length:" + (MAX_FRAME + 1) + "\n\n" + hugeBody + "x\0",
            // A frame that never ends: the decoder must not buffer past the frame limit waiting for NUL.
            "SEND\ndestination:/topic/bomb\n\n" + hugeBody,
        };
        for (String bomb : afterConnect) {
            try (RawStompClient client = RawStompClient.connect(server)) {
                client.send(SockJsService.stompConnect(TestTokens.token("bomber", "publisher")));
                assertThat(client.nextFrame()).startsWith("CONNECTED\n");
                client.send(bomb);
                assertErrorAndClose(client);
            }
        }
    }

    /**
     * 100,000 subscribe frames to distinct topics on one session, offered at 20,000 per second
     * (the test client parses nothing of the answers but their type, so that its own work does not
     * slow the control client in the same JVM). The session holds at most its 1,000 subscriptions
     * (the default cap; the rest are {@code forbidden}), is closed with 4029 once it has sent
     * faster than 1,000 frames per second for longer than its burst of 2,000, and once it is gone
     * the server holds none of its subscriptions.
     */
    @Test
    void aHundredThousandSubscribeAttemptsOnOneSession() throws Exception {
        int attempts = 100_000;
        long periodNanos = 50_000;
        int subscribed = 0;
        int refused = 0;
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("hoarder"), "hoarder")) {
            client.expect("welcome");
            long started = System.nanoTime();
            for (int i = 0; i < attempts && client.isOpen(); i++) {
                long wait = started + i * periodNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing the offered load, not synchronisation
                }
                try {
                    client.send("{\"type\":\"subscribe\",\"topic\":\"hoard-" + i + "\"}");
                } catch (IOException | IllegalStateException e) {
                    if (client.isOpen()) {
                        throw e;
                    } // else closed by the server (a frame rate limit): its close code is checked below
                }
            }
            double sendSeconds = (System.nanoTime() - started) / 1e9;
            // Every answer the server sent before it closed the session, however soon it closed it.
            while (subscribed + refused < attempts && (client.isOpen() || client.pendingFrames() > 0)) {
                String answer = client.nextText();
                if (answer.startsWith("{\"type\":\"subscribed\"")) {
                    subscribed++;
                } else if (answer.startsWith("{\"type\":\"error\"")) {
                    assertThat(ChannelClient.JSONB.fromJson(answer, JsonObject.class).getString("code"))
                            .isIn("rate_limited", "forbidden");
                    refused++;
                } else {
                    throw new AssertionError("unexpected answer " + answer);
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            AttackFigures.record("OversizeInputAttackIT.aHundredThousandSubscribeAttemptsOnOneSession", String.format(
                    "%d subscribe attempts sent in %.1f s, answered in %.1f s: %d subscribed, %d refused, session %s",
                    attempts, sendSeconds, seconds, subscribed, refused, client.isOpen() ? "open" : "closed"));
            assertThat(subscribed).as("subscriptions held").isLessThanOrEqualTo(1000);
            assertThat(refused).as("subscriptions refused past the cap").isPositive();
            assertThat(client.awaitClose().getCloseCode().getCode()).isEqualTo(4029);
        }
        await("the hoarder's subscriptions released").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("/api/v1/stats").json().getJsonObject("total").getInt("subscriptions") <= 1);
    }

    private static void assertErrorAndClose(RawStompClient client) throws Exception {
        String error = client.nextFrame();
        assertThat(error).startsWith("ERROR\n");
        assertThat(client.awaitClose(10).getCloseCode().getCode()).isIn(1008, 1009);
    }

    private static Attack.Refusal post(String path, String body) throws Exception {
        return Attack.exchange(server, "POST", path, body, "Authorization", "Bearer " + TestTokens.API_KEY,
                "Content-Type", "application/json");
    }
}
