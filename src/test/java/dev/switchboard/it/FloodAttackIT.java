package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Floods, with the control client beside each: handshakes (from one address: the rate limit's
 * 429; spread over 200 loopback addresses: real sessions opened and dropped), frames (one session
 * past its rate: 4029; many sessions each within it: served), and slowloris connections that never finish a request. Each test records the rate or
 * number the server absorbed while the control client's p99 stayed under 100 ms
 * ({@link AttackFigures}); the offered rates can be changed with {@code -Dattack.handshake.rate},
 * {@code -Dattack.frame.rate} and {@code -Dattack.slowloris.connections} to measure a machine.
 *
 * <p>Against the standalone jar only: the figures are the embedded server's, and 5,000 idle
 * connections are about a real nginx's worker connections, not the product's (the container matrix
 * does not run this class either: it is not a {@link ContainerMatrix} test).
 */
@DisabledIfSystemProperty(named = "switchboard.it.front", matches = "nginx")
class FloodAttackIT {

    private static final double HANDSHAKE_RATE = Double.parseDouble(System.getProperty("attack.handshake.rate", "150"));
    private static final double FRAME_RATE = Double.parseDouble(System.getProperty("attack.frame.rate", "5000"));
    private static final int SLOWLORIS = Integer.getInteger("attack.slowloris.connections", 5000);
    private static final Duration FLOOD_TIME = Duration.ofSeconds(5);
    /**
     * How long the embedded server keeps a connection that has not sent a whole request: Tomcat's
     * connector {@code connectionTimeout} default, 60 s (the standalone does not change it). The test
     * allows 30 s more for the reaper's rounds on a loaded machine.
     */
    private static final Duration REAP_WITHIN = Duration.ofSeconds(90);

    @RegisterExtension
    // A handshake burst of 100 (default 500) so that the one-address flood outruns its budget
    // within seconds even when a loaded machine slows the flooding client down.
    static final ServerProcess server = ServerProcess.perTestClass("attack-flood", Map.of("handshake.burst", "100"));
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server);

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server);
    }

    @Test
    void aHandshakeFloodFromOneAddressIsRateLimitedWith429() throws Exception {
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        String[] refusal = new String[1];
        // 300/s for 3 s: past the budget (a burst of 100, then 100/s) at any rate achieved over 135/s.
        Flood.Outcome outcome = Flood.run(4, 300, Duration.ofSeconds(3), index -> {
            // A user per handshake: the flood is of one address, not of one user's sessions.
            Handshake answer = handshake("127.0.0.2", "/ws/channel?"
                    + Attack.channelQuery(TestTokens.token("flooder-" + index), "one-" + index));
            statuses.computeIfAbsent(answer.status, s -> new AtomicLong()).incrementAndGet();
            if (answer.status == 429) {
                refusal[0] = answer.head;
            }
        });
        AttackFigures.record("FloodAttackIT.aHandshakeFloodFromOneAddressIsRateLimitedWith429", String.format(
                "handshakes from one address, offered 300/s: %.0f answered/s (%d in %.1f s), statuses %s",
                outcome.rate(), outcome.steps(), outcome.seconds(), statuses));
        assertThat(outcome.failure()).isNull();
        assertThat(statuses.keySet()).containsOnly(101, 429);
        assertThat(statuses.get(429).get()).isPositive();
        assertThat(refusal[0]).contains("\"error\":\"rate_limited\"").containsIgnoringCase("\r\nRetry-After: ");
    }

    @Test
    void aHandshakeFloodSpreadOverManyAddressesOpensAndDropsSessions() throws Exception {
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        Flood.Outcome outcome = Flood.run(8, HANDSHAKE_RATE, FLOOD_TIME, index -> {
            Handshake answer = handshake("127.0.0." + (10 + index % 200),
                    "/ws/channel?" + Attack.channelQuery(TestTokens.token("flooder-" + index), "many-" + index));
            statuses.computeIfAbsent(answer.status, s -> new AtomicLong()).incrementAndGet();
        });
        AttackFigures.record("FloodAttackIT.aHandshakeFloodSpreadOverManyAddressesOpensAndDropsSessions",
                String.format("handshakes from 200 addresses, offered %.0f/s: %.0f/s completed (%d in %.1f s), statuses %s",
                        HANDSHAKE_RATE, outcome.rate(), outcome.steps(), outcome.seconds(), statuses));
        assertThat(outcome.failure()).isNull();
        assertThat(statuses.keySet()).containsOnly(101);
        assertThat(outcome.rate()).as("rate achieved").isGreaterThan(HANDSHAKE_RATE * 0.9);
        // Every dropped session is gone again: only the control client's remain.
        await("flooded sessions closed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> HttpApi.withApiKey(server).get("/api/v1/stats").json().getJsonObject("total")
                        .getInt("sessions") == ControlTraffic.SESSIONS);
    }

    /**
     * One session pinging at 5,000 frames per second, five times the default per-session rate
     * (1,000/s, burst 2,000): it is served while its burst lasts, then closed with 4029.
     */
    @Test
    void aSessionFloodingFramesPastItsBudgetIsClosedWith4029() throws Exception {
        try (ChannelClient flooder = ChannelClient.connect(server, TestTokens.token("frame-flooder"), "frame-flood")) {
            flooder.expect("welcome");
            long[] sent = new long[1];
            Flood.Outcome outcome = Flood.run(1, 5_000, FLOOD_TIME, index -> {
                if (flooder.isOpen()) {
                    try {
                        flooder.send("{\"type\":\"ping\"}");
                        sent[0]++;
                    } catch (IOException | IllegalStateException e) {
                        if (flooder.isOpen()) {
                            throw e;
                        } // else closed by the server while sending: the close code is checked below
                    }
                }
            });
            assertThat(outcome.failure()).isNull();
            assertThat(flooder.awaitClose().getCloseCode().getCode()).isEqualTo(4029);
            AttackFigures.record("FloodAttackIT.aSessionFloodingFramesPastItsBudgetIsClosedWith4029", String.format(
                    "one session pinging at 5000/s: closed with 4029 after %d frames sent, %d answered",
                    sent[0], flooder.pendingFrames()));
        }
    }

    /**
     * A ping flood at the offered rate over as many sessions as keep each within the per-session
     * rate (800/s each, under the default 1,000/s): the most an attacker gets past the frame limits
     * is the number of sessions it may open. Every ping is answered.
     */
    @Test
    void aFrameFloodSpreadOverSessionsWithinTheirBudgetIsServed() throws Exception {
        int sessions = (int) Math.ceil(FRAME_RATE / 800);
        List<ChannelClient> flooders = new ArrayList<>();
        try {
            for (int i = 0; i < sessions; i++) {
                ChannelClient client = ChannelClient.connect(server, TestTokens.token("frame-flooder-" + i),
                        "frame-flood-" + i);
                client.expect("welcome");
                flooders.add(client);
            }
            long[] sent = new long[sessions];
            Flood.Outcome outcome = Flood.run(8, FRAME_RATE, FLOOD_TIME, index -> {
                int session = (int) (index % sessions);
                ChannelClient client = flooders.get(session);
                synchronized (client) { // one sender per WebSocket session
                    client.send("{\"type\":\"ping\"}");
                    sent[session]++;
                }
            });
            assertThat(outcome.failure()).isNull();
            long total = Arrays.stream(sent).sum();
            await("every ping answered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        for (int i = 0; i < sessions; i++) {
                            if (flooders.get(i).pendingFrames() < sent[i]) {
                                return false;
                            }
                        }
                        return true;
                    });
            AttackFigures.record("FloodAttackIT.aFrameFloodSpreadOverSessionsWithinTheirBudgetIsServed", String.format(
                    "pings on %d sessions, offered %.0f/s: %.0f/s sent and answered (%d in %.1f s)",
                    sessions, FRAME_RATE, total / outcome.seconds(), total, outcome.seconds()));
            assertThat(flooders).allMatch(ChannelClient::isOpen);
            assertThat(total / outcome.seconds()).as("rate achieved").isGreaterThan(FRAME_RATE * 0.9);
        } finally {
            for (ChannelClient client : flooders) {
                client.close();
            }
        }
    }

    /**
     * Slowloris: connections that never finish a request, half of them silent after connecting, half
     * after a partial request head. The server keeps serving (the control client; a new session; the
     * HTTP API) and closes every one of them within {@link #REAP_WITHIN} of its opening.
     */
    @Test
    void slowlorisConnectionsAreAbsorbedAndReaped() throws Exception {
        long opened = System.nanoTime();
        List<SocketChannel> idle = new ArrayList<>(SLOWLORIS);
        Map<SocketChannel, Long> openedAt = new ConcurrentHashMap<>();
        Map<SocketChannel, Long> reapedAfterNanos = new ConcurrentHashMap<>();
        try (Selector selector = Selector.open()) {
            byte[] partial = ("GET " + server.path("/ws/channel?channelId=slow") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < SLOWLORIS; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.bind(new InetSocketAddress("127.0.0." + (10 + i % 200), 0));
                channel.connect(new InetSocketAddress("127.0.0.1", server.port()));
                openedAt.put(channel, System.nanoTime());
                if (i % 2 == 1) {
                    channel.write(ByteBuffer.wrap(partial));
                }
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                idle.add(channel);
            }
            double openSeconds = (System.nanoTime() - opened) / 1e9;
            AttackFigures.record("FloodAttackIT.slowlorisConnectionsAreAbsorbedAndReaped",
                    "control client while the connections were opened: " + control.figuresSoFar());
            // Still serving: a new session opens and talks, the API answers.
            try (ChannelClient fresh = ChannelClient.connect(server, TestTokens.token("newcomer"), "slow-newcomer")) {
                fresh.expect("welcome");
                fresh.send("{\"type\":\"ping\"}");
                fresh.expect("pong");
            }
            assertThat(HttpApi.withApiKey(server).get("/api/v1/stats").status()).isEqualTo(200);
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            boolean reapingStarted = false;
            long deadline = System.nanoTime() + REAP_WITHIN.toNanos();
            while (reapedAfterNanos.size() < SLOWLORIS && System.nanoTime() < deadline) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    buffer.clear();
                    int read;
                    try {
                        read = channel.read(buffer);
                    } catch (IOException reset) {
                        read = -1;
                    }
                    if (read < 0) {
                        reapedAfterNanos.put(channel, System.nanoTime() - openedAt.get(channel));
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
                if (!reapingStarted && !reapedAfterNanos.isEmpty()) {
                    reapingStarted = true;
                    // Opened and held (about 50 s): the spec's p99 must hold. Reaped: Tomcat times the
                    // connections out and closes them through the connector's executor, the one that
                    // also runs every session's reads; thousands at once delayed the control client by
                    // up to 1.6 s here (docs/security.md, "Findings"). That phase is recorded, not asserted.
                    AttackFigures.record("FloodAttackIT.slowlorisConnectionsAreAbsorbedAndReaped",
                            "control client while the connections were opened and held: " + control.figuresSoFar());
                    control.assertP99SoFarAndWaiveTheRest("the reaping of " + SLOWLORIS + " connections within"
                            + " seconds stalls the connector's executor (a known weakness, docs/security.md)");
                }
            }
            long[] reaped = reapedAfterNanos.values().stream().mapToLong(Long::longValue).sorted().toArray();
            AttackFigures.record("FloodAttackIT.slowlorisConnectionsAreAbsorbedAndReaped", String.format(
                    "%d idle connections opened in %.1f s; %d reaped, each after %.1f s to %.1f s of idleness",
                    SLOWLORIS, openSeconds, reaped.length, reaped.length == 0 ? 0 : reaped[0] / 1e9,
                    reaped.length == 0 ? 0 : reaped[reaped.length - 1] / 1e9));
            assertThat(reaped.length).as("connections reaped").isEqualTo(SLOWLORIS);
            assertThat(reaped[reaped.length - 1]).as("longest idleness before the reaper came")
                    .isLessThanOrEqualTo(REAP_WITHIN.toNanos());
        } finally {
            for (SocketChannel channel : idle) {
                channel.close();
            }
        }
    }

    /** The status of an upgrade request, and the response head with a little of its body. */
    private record Handshake(int status, String head) {
    }

    /** One upgrade from {@code address}; an opened session is dropped at once with a reset. */
    private static Handshake handshake(String address, String pathAndQuery) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(address, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawUpgrade.request(server, pathAndQuery, null));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = RawUpgrade.readHead(in);
            int status = Integer.parseInt(head.split(" ", 3)[1]);
            if (status != 101) {
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        head += new String(in.readNBytes(Integer.parseInt(line.substring(15).trim())),
                                StandardCharsets.UTF_8);
                    }
                }
            }
            socket.setSoLinger(true, 0);
            return new Handshake(status, head);
        }
    }
}
