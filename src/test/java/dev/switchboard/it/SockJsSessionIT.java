package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.CloseCode;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A SockJS session is a session (plan: "Session limits ... are those of WebSocket sessions";
 * docs/sockjs.md): the handshake and its HTTP refusals, one session per channel across
 * {@code /ws/channel} and {@code /sockjs/channel}, the slow-consumer bound for a client that stops
 * polling or stops reading, resume with {@code since}, acknowledged pushes, and STOMP over
 * xhr_streaming receiving a backend's push, all seen from the client's side.
 */
@ContainerMatrix
class SockJsSessionIT {

    private static final String APP_ORIGIN = "https://app.example.com";

    /*
     * outbound.max.messages 500: a client that stops polling passes the bound after a few hundred
     * publications. send.timeout.ms 2000: a client that stops reading a stream is found within
     * seconds (the second slow-consumer test); a polling client answers far sooner. Short ack
     * backoff so that a redelivery comes within the test.
     */
    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("sockjs-session", Map.of(
            "allowed.origins", APP_ORIGIN,
            "outbound.max.messages", "500",
            "send.timeout.ms", "2000",
            "sockjs.disconnect.delay.ms", "10000",
            "ack.backoff.ms", "300", "ack.backoff.max.ms", "600", "ack.max.attempts", "5",
            // The slow-consumer tests publish in band as fast as they can (36 MB from one session).
            "inbound.rate", "0", "inbound.bytes.rate", "0"));
    private static final HttpApi api = HttpApi.withApiKey(server);

    private static SockJsEndpoint channel(String user, String channelId) {
        return SockJsEndpoint.channel(server, TestTokens.token(user), channelId);
    }

    /** Opens a native session over xhr polling and takes its welcome. */
    private static SockJsSession openChannel(String user, String channelId) throws Exception {
        return SockJsService.CHANNEL.openReady(channel(user, channelId));
    }

    private static JsonObject json(String message) {
        return ChannelClient.JSONB.fromJson(message, JsonObject.class);
    }

    // ---------------------------------------------------------------- handshake and channel rule

    /** docs/protocol.md, Native endpoint: one open session per channel, whichever endpoint holds it. */
    @Test
    void aChannelHeldOverWebSocketRefusesASockJsSessionWith409AndTheOtherWayRound() throws Exception {
        try (ChannelClient holder = ChannelClient.connect(server, TestTokens.token("alice"), "sj-busy-ws")) {
            holder.expect("welcome");
            SockJsEndpoint contender = channel("bob", "sj-busy-ws");
            assertRefusedEverywhere(contender, 409, "conflict");
            holder.send("{\"type\":\"ping\"}");
            holder.expect("pong"); // the holder is undisturbed
        }

        SockJsEndpoint sockJs = channel("alice", "sj-busy-sockjs");
        SockJsSession session = SockJsService.CHANNEL.openReady(sockJs);
        assertThat(ChannelClient.refusalStatus(ChannelClient.channelUri(server, TestTokens.token("bob"), "sj-busy-sockjs"),
                null)).isEqualTo(409);
        session.send("{\"type\":\"ping\"}");
        assertThat(session.nextMessage()).isEqualTo("{\"type\":\"pong\"}");

        // Once the SockJS session is closed, the channel is free for a WebSocket.
        assertThat(api.delete("/api/v1/channels/sj-busy-sockjs").status()).isIn(200, 202, 204);
        await("channel released").atMost(Duration.ofSeconds(10))
                .until(() -> ChannelRuleIT.openChannelUsers(server, "sj-busy-sockjs").isEmpty());
        try (ChannelClient next = ChannelClient.connect(server, TestTokens.token("bob"), "sj-busy-sockjs")) {
            assertThat(next.expect("welcome").getString("user")).isEqualTo("bob");
        }
    }

    /** The handshake table of docs/protocol.md, on every request that opens a SockJS session, and on /info. */
    @Test
    void handshakeRefusalsOnTheChannelServiceAreHttpStatusesWithAJsonBody() throws Exception {
        String token = TestTokens.token("alice");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, token, null), 400, "bad_request");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, token, "no spaces/or slashes"), 400, "bad_request");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, null, "sj-no-token"), 400, "bad_request");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, "not-a-jwt", "sj-garbage"), 401, "unauthorized");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, TestTokens.expiredToken("alice"), "sj-expired"), 401,
                "unauthorized");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, TestTokens.tokenForChannels("agent", List.of("desk-*")),
                "agent-43"), 403, "forbidden");
        assertRefusedEverywhere(SockJsEndpoint.channel(server, token, "sj-evil-origin"), 403, "forbidden",
                "https://evil.example.net");
    }

    private static void assertRefusedEverywhere(SockJsEndpoint endpoint, int status, String error) throws Exception {
        assertRefusedEverywhere(endpoint, status, error, null);
    }

    /**
     * The refusal on /info and on each transport's first request (as a browser sends them, with its
     * Origin if any), and no session left behind: its id is unknown afterwards.
     */
    private static void assertRefusedEverywhere(SockJsEndpoint endpoint, int status, String error, String origin)
            throws Exception {
        String[] headers = origin == null ? new String[0] : new String[] {"Origin", origin};
        List<SockJsEndpoint.Response> answers = new ArrayList<>();
        answers.add(endpoint.get("/info", headers));
        for (String transport : List.of("xhr", "xhr_streaming")) {
            answers.add(endpoint.post(session(transport), null, headers));
        }
        for (String transport : List.of("eventsource", "htmlfile?c=cb", "jsonp?c=cb")) {
            answers.add(endpoint.get(session(transport), headers));
        }
        for (SockJsEndpoint.Response answer : answers) {
            assertThat(answer.status()).as("refusal %s", answer).isEqualTo(status);
            JsonObject body = json(answer.body());
            assertThat(body.getString("error")).isEqualTo(error);
            assertThat(body.getString("message")).isNotBlank();
        }
        RawUpgrade.Answer upgrade = RawUpgrade.send(server, endpoint.wsUri(session("websocket")), origin);
        assertThat(upgrade.status()).as("websocket transport: %s", upgrade).isEqualTo(status);
        assertThat(json(upgrade.body()).getString("error")).isEqualTo(error);
        String refusedId = SockJsEndpoint.freshSessionId();
        assertThat(endpoint.post(SockJsEndpoint.sessionPath("000", refusedId, "xhr"), null, headers).status())
                .isEqualTo(status);
        assertThat(endpoint.post(SockJsEndpoint.sessionPath("000", refusedId, "xhr_send"), "[\"x\"]").status())
                .as("a refused session does not exist").isEqualTo(404);
    }

    private static String session(String transport) {
        return SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), transport);
    }

    /**
     * A script (jsonp), a frame (htmlfile) or an EventSource is a page load: the browser sends no
     * Origin, but says the request is cross-site and names the page in Referer. A foreign page is
     * refused as a foreign Origin is; the configured one opens its session; and the pages that may
     * frame the iframe-based transports are limited to the allowed origins.
     */
    @Test
    void pageLoadTransportsFromAForeignPageAreRefusedByTheirRefererAndFramesAreLimited() throws Exception {
        for (String transport : List.of("eventsource", "htmlfile?c=cb", "jsonp?c=cb")) {
            SockJsEndpoint.Response foreign = channel("alice", SockJsEndpoint.freshChannelId("sj-page-load")).get(
                    session(transport), "Sec-Fetch-Site", "cross-site", "Referer", "https://evil.example.net/app.html");
            assertThat(foreign.status()).as("%s from a foreign page: %s", transport, foreign).isEqualTo(403);
            assertThat(json(foreign.body()).getString("error")).isEqualTo("forbidden");
        }
        SockJsEndpoint.Response own = channel("alice", SockJsEndpoint.freshChannelId("sj-page-load")).get(
                session("jsonp?c=cb"), "Sec-Fetch-Site", "cross-site", "Referer", APP_ORIGIN + "/app.html");
        assertThat(own.status()).as("%s", own).isEqualTo(200);
        assertThat(own.body()).isEqualTo("cb(\"o\");\r\n");

        SockJsEndpoint endpoint = channel("alice", SockJsEndpoint.freshChannelId("sj-frames"));
        assertThat(endpoint.get("/iframe.html").header("Content-Security-Policy"))
                .hasValueSatisfying(policy -> assertThat(policy).startsWith("frame-ancestors").contains(APP_ORIGIN)
                        .doesNotContain("evil"));
        try (SockJsStream page = endpoint.stream("GET", session("htmlfile?c=cb"))) {
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(policy -> assertThat(policy).startsWith("frame-ancestors").contains(APP_ORIGIN));
        }
    }

    /** The STOMP service checks the origin when a session opens (its token comes later, in CONNECT). */
    @Test
    void theStompServiceRefusesAForeignOriginWhenASessionOpensAndAcceptsTheConfiguredOne() throws Exception {
        SockJsEndpoint stomp = SockJsEndpoint.stomp(server);
        SockJsEndpoint.Response refused = stomp.post(session("xhr"), null, "Origin", "https://evil.example.net");
        assertThat(refused.status()).as("%s", refused).isEqualTo(403);
        assertThat(json(refused.body()).getString("error")).isEqualTo("forbidden");
        SockJsSession session = stomp.newSession();
        SockJsEndpoint.Response opened = session.poll("Origin", APP_ORIGIN);
        assertThat(opened.body()).isEqualTo("o\n");
        SockJsHeaders.assertCors(opened.headers(), APP_ORIGIN);
    }

    /** docs/protocol.md, STOMP: "A failure is an ERROR frame with a message header, then close", here in SockJS frames. */
    @Test
    void aStompConnectWithABadTokenGetsAnErrorFrameThenTheCloseFrame() throws Exception {
        SockJsSession session = SockJsEndpoint.stomp(server).newSession().open();
        session.send(SockJsService.stompConnect("not-a-jwt"));
        StompText error = StompText.parse(session.nextMessage());
        assertThat(error.command()).isEqualTo("ERROR");
        assertThat(error.header("message")).isNotBlank();
        String close = session.nextFrame();
        assertThat(SockJsFrames.closeCode(close)).isEqualTo(CloseCode.POLICY_VIOLATION.code());
    }

    // ---------------------------------------------------------------- slow consumers

    /**
     * docs/protocol.md, Delivery guarantees: a slow reader never slows the publisher or other
     * sessions; it is closed with 4008 once its queue bound or send time limit is exceeded. A SockJS client that stops polling
     * (a throttled background tab) holds messages on the server, so it is one; a polling client of
     * the same topic gets everything, in order.
     */
    @Test
    void aClientThatStopsPollingIsClosedWith4008AndAPollingOneGetsEverything() throws Exception {
        String topic = "sj-slow-poll";
        long slowBefore = slowConsumersClosed();
        SockJsSession stopped = openChannel("sj-stopped", "sj-stopped");
        SockJsService.CHANNEL.subscribeAndConfirm(stopped, topic);
        SockJsSession polling = openChannel("sj-polling", "sj-polling");
        SockJsService.CHANNEL.subscribeAndConfirm(polling, topic);
        List<Long> offsets = new ArrayList<>();
        try (ChannelClient publisher = ChannelClient.connect(server, TestTokens.token("sj-feeder", "publisher"),
                "sj-feeder")) {
            publisher.expect("welcome");
            // 2,000 in batches of 50; the polling client takes each batch before the next, as a
            // browser polling in a loop would keep up (no flow control is needed for the stopped one).
            for (int batch = 0; batch < 40; batch++) {
                for (int i = 1; i <= 50; i++) {
                    publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"seq\":"
                            + (batch * 50 + i) + ",\"pad\":\"" + "x".repeat(200) + "\"}}");
                }
                while (offsets.size() < (batch + 1) * 50) {
                    offsets.add(json(polling.nextMessage(Duration.ofSeconds(10))).getJsonNumber("offset").longValue());
                }
            }
        }
        assertThat(offsets).as("the polling client's offsets").isEqualTo(
                java.util.stream.LongStream.rangeClosed(1, 2000).boxed().toList());

        await("stopped client's channel released").atMost(Duration.ofSeconds(20))
                .until(() -> ChannelRuleIT.openChannelUsers(server, "sj-stopped").isEmpty());
        assertThat(ChannelRuleIT.openChannelUsers(server, "sj-polling")).containsExactly("sj-polling");
        assertThat(slowConsumersClosed()).isGreaterThan(slowBefore);
        // When it polls again: at most what was already on its way, then the close frame.
        String close = null;
        for (int poll = 0; poll < 3 && close == null; poll++) {
            String frame = stopped.nextFrame();
            if (frame.startsWith("c[")) {
                close = frame;
            }
        }
        assertThat(close).isEqualTo(SockJsFrames.closeFrame(CloseCode.SLOW_CONSUMER.code(),
                CloseCode.SLOW_CONSUMER.reason()));
    }

    /**
     * The same bound for a client that keeps its xhr_streaming request open but stops reading it (a
     * frozen tab, a stalled proxy): 36 MB of publications, past every socket buffer on the way.
     * Only the send time limit can find it; a WebSocket subscriber of the topic gets everything.
     */
    @Test
    void aStreamingClientThatStopsReadingIsClosedWith4008AndOthersGetEverything() throws Exception {
        String topic = "sj-slow-stream";
        int messages = 900;
        String padding = "x".repeat(40_000);
        long slowBefore = slowConsumersClosed();
        SockJsEndpoint endpoint = channel("sj-stalled", "sj-stalled");
        String id = SockJsEndpoint.freshSessionId();
        try (RawHttp stalled = RawHttp.connectWithReceiveBuffer(server, 4096);
                SequenceCheckingClient healthy = SequenceCheckingClient.connect(server, TestTokens.token("sj-healthy"),
                        "sj-healthy");
                ChannelClient publisher = ChannelClient.connect(server, TestTokens.token("sj-pusher", "publisher"),
                        "sj-pusher")) {
            stalled.send(server, "POST", endpoint.pathAndQuery(SockJsEndpoint.sessionPath("000", id, "xhr_streaming")),
                    "HTTP/1.1", "");
            assertThat(stalled.readHead().status()).isEqualTo(200);
            SockJsSession sender = new SockJsSession(endpoint, "000", id);
            sender.send(SockJsService.CHANNEL.subscribe(topic, null));
            healthy.subscribe(topic);
            publisher.expect("welcome");
            await("subscriptions").atMost(Duration.ofSeconds(10)).until(() -> healthy.isSubscribed(topic)
                    && api.get("/api/v1/topics/" + topic + "/presence").body().contains("\"sj-stalled\""));

            for (int seq = 1; seq <= messages; seq++) {
                publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"p\":0,\"seq\":" + seq
                        + ",\"pad\":\"" + padding + "\"}}");
            }
            await("every message at the WebSocket subscriber").atMost(Duration.ofSeconds(60))
                    .until(() -> healthy.topicMessages() >= messages || healthy.isClosed());
            assertThat(healthy.closeDescription()).isNull();
            assertThat(healthy.violations()).isEmpty();
            assertThat(healthy.lastOffset(topic)).isEqualTo(messages);
            await("stalled SockJS session released").atMost(Duration.ofSeconds(30))
                    .until(() -> ChannelRuleIT.openChannelUsers(server, "sj-stalled").isEmpty());
            assertThat(slowConsumersClosed()).isGreaterThan(slowBefore);
            assertThat(publisher.pendingFrames()).as("errors sent to the publisher").isZero();
        }
    }

    private static long slowConsumersClosed() throws Exception {
        return api.get("/api/v1/stats").json().getJsonObject("total").getJsonNumber("slowConsumersClosed").longValue();
    }

    // ---------------------------------------------------------------- delivery guarantees

    /** docs/protocol.md, Delivery guarantees: a client that comes back with {@code since} gets what it missed, over SockJS too. */
    @Test
    void aSockJsClientResumingWithSinceGetsWhatItMissed() throws Exception {
        String topic = "sj-resume";
        SockJsSession first = openChannel("sj-reader", "sj-resume-1");
        SockJsService.CHANNEL.subscribeAndConfirm(first, topic);
        assertThat(api.post("/api/v1/topics/" + topic + "/messages", "{\"data\":1}").status()).isEqualTo(202);
        JsonObject seen = json(first.nextMessage());
        long offset = seen.getJsonNumber("offset").longValue();
        String epoch = seen.getString("epoch");
        assertThat(api.delete("/api/v1/channels/sj-resume-1").status()).isIn(200, 202, 204);

        // Missed while away.
        api.post("/api/v1/topics/" + topic + "/messages", "{\"data\":2}");
        api.post("/api/v1/topics/" + topic + "/messages", "{\"data\":3}");

        SockJsSession back = openChannel("sj-reader", "sj-resume-2");
        back.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":{\"offset\":" + offset
                + ",\"epoch\":\"" + epoch + "\"}}");
        assertThat(json(back.nextMessage()).getInt("data")).isEqualTo(2);
        assertThat(json(back.nextMessage()).getInt("data")).isEqualTo(3);
        JsonObject subscribed = json(back.nextMessage());
        assertThat(subscribed.getString("type")).isEqualTo("subscribed");
        assertThat(subscribed.getBoolean("recovered")).isTrue();
    }

    /** docs/protocol.md, Delivery guarantees: an {@code ack: true} push is redelivered until acked; an ack over xhr_send clears it. */
    @Test
    void anAcknowledgedPushIsRedeliveredUntilAckedOverXhrSend() throws Exception {
        SockJsSession agent = openChannel("sj-agent", "sj-agent");
        String id = api.post("/api/v1/users/sj-agent/messages", "{\"data\":\"ring\",\"ack\":true}").json().getString("id");
        JsonObject first = json(agent.nextMessage());
        assertThat(first.getString("id")).isEqualTo(id);
        assertThat(first.getBoolean("ack")).isTrue();
        assertThat(json(agent.nextMessage()).getString("id")).as("redelivered without an ack").isEqualTo(id);

        agent.send("{\"type\":\"ack\",\"id\":\"" + id + "\"}");
        await("inbox cleared").atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/users/sj-agent/inbox").json().getJsonArray("pending").isEmpty());
    }

    /**
     * The Spring migration path (docs/migrating-from-spring.md, SockJS): STOMP over xhr_streaming, as @stomp/stompjs on
     * sockjs-client runs it where WebSocket is blocked, receives a backend's user push.
     */
    @Test
    void stompOverXhrStreamingReceivesAUserPushFromTheHttpApi() throws Exception {
        SockJsEndpoint endpoint = SockJsEndpoint.stomp(server);
        String id = SockJsEndpoint.freshSessionId();
        SockJsSession sender = new SockJsSession(endpoint, "000", id);
        try (SockJsStream stream = StreamingTransport.XHR_STREAMING.open(endpoint, id)) {
            StreamingTransport.Receiver receiver = new StreamingTransport.Receiver(StreamingTransport.XHR_STREAMING, stream);
            sender.send(SockJsService.stompConnect(TestTokens.token("sj-stomp-agent")));
            assertThat(StompText.parse(receiver.nextMessage()).command()).isEqualTo("CONNECTED");
            sender.send("SUBSCRIBE\nid:calls\ndestination:/user/queue/calls\nreceipt:subscribed\n\n\0");
            assertThat(receiver.nextMessage()).isEqualTo("RECEIPT\nreceipt-id:subscribed\n\n\0");

            HttpApi.Response pushed = api.post("/api/v1/users/sj-stomp-agent/messages",
                    "{\"data\":{\"caller\":\"+49 30 1234\"},\"destination\":\"calls\"}");
            assertThat(pushed.status()).isEqualTo(202);
            assertThat(pushed.json().getInt("sessions")).isEqualTo(1);
            StompText message = StompText.parse(receiver.nextMessage());
            assertThat(message.command()).isEqualTo("MESSAGE");
            assertThat(message.header("destination")).isEqualTo("/user/queue/calls");
            assertThat(message.header("subscription")).isEqualTo("calls");
            assertThat(message.header("content-type")).startsWith("application/json");
            assertThat(json(message.body()).getString("caller")).isEqualTo("+49 30 1234");
        }
    }
}
