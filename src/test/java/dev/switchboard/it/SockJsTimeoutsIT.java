package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The timed part of SockJS 0.3.3 on both services: heart-beat frames, the session timeout after
 * the disconnect delay without a receiving request, how long a closed session answers with its
 * close frame, and what an aborted receiving request does to its session. A server with short
 * intervals (2 s heart-beat, 3 s disconnect delay) so that each test takes seconds; every wait is
 * an await on what the client sees.
 */
@ContainerMatrix
class SockJsTimeoutsIT {

    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration DISCONNECT_DELAY = Duration.ofSeconds(3);
    /** Scheduling slack on a shared two-core machine. */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static final String ANOTHER_CONNECTION = "c[2010,\"Another connection still open\"]";
    /** The spec's alternative to forgetting an interrupted session (HandlingClose.test_abort_*). */
    private static final String INTERRUPTED = "c[1002,\"Connection interrupted\"]";

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("sockjs-timeouts", Map.of(
            "heartbeat.ms", Long.toString(HEARTBEAT.toMillis()),
            "sockjs.disconnect.delay.ms", Long.toString(DISCONNECT_DELAY.toMillis())));
    private static final HttpApi api = HttpApi.withApiKey(server);

    // ---------------------------------------------------------------- heart-beats

    /**
     * Spec "Framing accepted by the client", h: "the server must send a heartbeat frame every now
     * and then" so that load balancers keep the connection; a waiting poll is answered with it.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void anIdleWaitingPollIsAnsweredWithAHeartbeatWithinAnInterval(SockJsService service) throws Exception {
        SockJsSession session = service.openReady(service.endpoint(server, "idle-poll"));
        long started = System.nanoTime();
        SockJsEndpoint.Response poll = session.poll();
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertThat(poll.body()).isEqualTo("h\n");
        assertThat(waited).isLessThanOrEqualTo(HEARTBEAT.plus(SLACK));
    }

    /**
     * Heart-beats on the streaming transports, and the end of a stream at a heart-beat once it has
     * been open for a while (docs/sockjs.md: every live client shows itself with a new request each
     * interval); the next request carries on the same session: no new {@code o}, nothing lost.
     */
    @ParameterizedTest
    @MethodSource("dev.switchboard.it.SockJsProtocolIT#servicesAndStreamingTransports")
    void aStreamingResponseCarriesHeartbeatsAndTheNextRequestGoesOnWithTheSession(SockJsService service,
            StreamingTransport transport) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "stream-heartbeat-" + transport);
        String id = SockJsEndpoint.freshSessionId();
        SockJsSession session = new SockJsSession(endpoint, "000", id);
        try (SockJsStream stream = transport.open(endpoint, id)) {
            SockJsProtocolIT.greet(service, session, new StreamingTransport.Receiver(transport, stream));
            assertThat(transport.nextFrame(stream, HEARTBEAT.plus(SLACK)).text()).isEqualTo("h");
            stream.awaitEnd(HEARTBEAT.multipliedBy(2).plus(SLACK));
        }
        session.send(service.probe("after-stream"));
        try (SockJsStream next = transport.start(endpoint, id)) {
            assertThat(next.status()).isEqualTo(200);
            transport.readPrelude(next);
            String frame;
            do {
                frame = transport.nextFrame(next, HEARTBEAT.plus(SLACK)).text();
            } while (frame.equals("h"));
            assertThat(frame).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("after-stream")));
        }
    }

    /** Spec "h" frames over the websocket transport too: the frame is the protocol's, whatever the transport. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theWebsocketTransportCarriesHeartbeatFrames(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "ws-heartbeat");
        try (SockJsWebSocket socket = SockJsWebSocket.connect(endpoint.wsUri(SockJsEndpoint.sessionPath("000",
                SockJsEndpoint.freshSessionId(), "websocket")))) {
            assertThat(socket.next()).isEqualTo("o");
            String first = service.greetingFromClient(SockJsService.USER);
            if (first != null) {
                socket.send(SockJsFrames.sendBody(first));
            }
            assertThat(SockJsFrames.messages(socket.next())).singleElement().matches(service.isGreeting());
            assertThat(socket.next(HEARTBEAT.plus(SLACK))).isEqualTo("h");
            assertThat(socket.next(HEARTBEAT.plus(SLACK))).isEqualTo("h");
        }
    }

    // ---------------------------------------------------------------- session timeout

    /**
     * Spec Protocol.test_simpleSession: "The session must time out after 5 seconds [the disconnect
     * delay] of not having a receiving connection." Its channel is then free again.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aSessionWithoutAReceivingRequestForTheDisconnectDelayIsClosed(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "timeout");
        SockJsSession session = service.openReady(endpoint);
        long lastPollEnded = System.nanoTime();
        // An empty xhr_send attaches nothing: 204 while the session lives, 404 once it is gone.
        await("session timed out").atMost(DISCONNECT_DELAY.plus(HEARTBEAT.multipliedBy(2)).plus(SLACK))
                .pollInterval(Duration.ofMillis(100)).until(() -> session.sendRaw("[]").status() == 404);
        Duration lived = Duration.ofNanos(System.nanoTime() - lastPollEnded);
        assertThat(lived).as("time without a receiving request before the timeout")
                .isGreaterThanOrEqualTo(DISCONNECT_DELAY.minusMillis(500));
        if (service == SockJsService.CHANNEL) {
            await("channel released").atMost(SLACK)
                    .until(() -> ChannelRuleIT.openChannelUsers(server, endpoint.channelId()).isEmpty());
        }
        // The next receiving request finds the session gone (a new one opens) or still closed.
        String next = session.nextFrame();
        assertThat(next).isIn("o", SockJsFrames.closeFrame(CloseCode.PEER_SILENT.code(), CloseCode.PEER_SILENT.reason()));
    }

    /** The other side of the timeout: a client that keeps polling keeps its session as long as it likes. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aSessionThatKeepsPollingOutlivesTheDisconnectDelayManyTimesOver(SockJsService service) throws Exception {
        SockJsSession session = service.openReady(service.endpoint(server, "keeps-polling"));
        long until = System.nanoTime() + DISCONNECT_DELAY.multipliedBy(4).toNanos();
        List<String> frames = new ArrayList<>();
        while (System.nanoTime() < until) {
            frames.add(session.nextFrame());
        }
        assertThat(frames).as("frames of an idle session polled for 4 disconnect delays").isNotEmpty().containsOnly("h");
        session.send(service.probe("still-there"));
        assertThat(session.nextMessage(Duration.ofSeconds(10))).isEqualTo(service.probeAnswer("still-there"));
    }

    /**
     * Spec Protocol.test_closeSession ("Until the timeout occurs, the server must constantly serve
     * the close message") and the plan: a closed session is forgotten the disconnect delay after it
     * closed, and its id then opens a new session.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aClosedSessionAnswersItsCloseFrameUntilTheDisconnectDelayHasPassed(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "closed-forgotten");
        SockJsSession session = service.openReady(endpoint);
        String closeFrame;
        if (service == SockJsService.CHANNEL) {
            assertThat(api.delete("/api/v1/channels/" + endpoint.channelId()).status()).isIn(200, 202, 204);
            closeFrame = SockJsFrames.closeFrame(CloseCode.OPERATOR.code(), CloseCode.OPERATOR.reason());
        } else {
            session.send("DISCONNECT\nreceipt:bye\n\n\0");
            assertThat(session.nextMessage()).isEqualTo("RECEIPT\nreceipt-id:bye\n\n\0");
            closeFrame = SockJsFrames.closeFrame(CloseCode.NORMAL.code(), CloseCode.NORMAL.reason());
        }
        long closed = System.nanoTime();
        assertThat(session.nextFrame()).isEqualTo(closeFrame);
        List<String> answers = new ArrayList<>();
        await("closed session forgotten").atMost(DISCONNECT_DELAY.plus(SLACK)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String frame = session.nextFrame();
                    answers.add(frame);
                    return frame.equals("o");
                });
        Duration answeredClose = Duration.ofNanos(System.nanoTime() - closed);
        assertThat(answers.subList(0, answers.size() - 1)).containsOnly(closeFrame);
        assertThat(answeredClose).as("how long the close frame was served")
                .isGreaterThanOrEqualTo(DISCONNECT_DELAY.minusMillis(500));
    }

    // ---------------------------------------------------------------- aborted receiving requests

    /**
     * Spec HandlingClose.test_abort_xhr_polling: "When a polling request is closed by a network
     * error - not by server, the session should be automatically closed"; the next poll gets a new
     * session ({@code o}) or {@code c[1002,"Connection interrupted"]}. Until the server notices the
     * abort, a poll is still told 2010; anything else means the session simply went on.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void anAbortedPollClosesItsSession(SockJsService service) throws Exception {
        assumeAbortsAreSeen();
        SockJsSession session = service.openReady(service.endpoint(server, "abort-poll"));
        String request = session.endpoint().pathAndQuery(session.path("xhr"));
        try (RawHttp one = RawHttp.connect(server); RawHttp two = RawHttp.connect(server)) {
            one.send(server, "POST", request, "HTTP/1.1", "");
            two.send(server, "POST", request, "HTTP/1.1", "");
            // Whichever arrived second is told 2010 at once; the other waits as the receiver.
            AtomicReference<RawHttp> refused = new AtomicReference<>();
            await("one poll refused").atMost(Duration.ofSeconds(10)).until(() -> {
                refused.set(one.hasData() ? one : two.hasData() ? two : null);
                return refused.get() != null;
            });
            RawHttp waiting = refused.get() == one ? two : one;
            RawHttp.Head head = refused.get().readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(waiting.hasData()).as("the receiver got nothing yet").isFalse();
            waiting.abort();
        }
        assertNextReceiverFindsTheSessionClosed(() -> session.nextFrame());
    }

    /** Spec HandlingClose.test_abort_xhr_streaming: the same for a streaming request. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void anAbortedStreamingRequestClosesItsSession(SockJsService service) throws Exception {
        assumeAbortsAreSeen();
        SockJsEndpoint endpoint = service.endpoint(server, "abort-stream");
        String id = SockJsEndpoint.freshSessionId();
        try (RawHttp first = RawHttp.connect(server)) {
            first.send(server, "POST", endpoint.pathAndQuery(SockJsEndpoint.sessionPath("000", id, "xhr_streaming")),
                    "HTTP/1.1", "");
            assertThat(first.readHead().status()).isEqualTo(200);
            assertThat(first.readChunksThrough("\n")).isEqualTo("h".repeat(2048) + "\n");
            assertThat(first.readChunksThrough("\n")).isEqualTo("o\n");
            try (SockJsStream second = StreamingTransport.XHR_STREAMING.start(endpoint, id)) {
                StreamingTransport.XHR_STREAMING.readPrelude(second);
                assertThat(StreamingTransport.XHR_STREAMING.nextFrame(second).text()).isEqualTo(ANOTHER_CONNECTION);
                second.awaitEnd();
            }
            first.abort();
        }
        assertNextReceiverFindsTheSessionClosed(() -> {
            try (SockJsStream next = StreamingTransport.XHR_STREAMING.start(endpoint, id)) {
                StreamingTransport.XHR_STREAMING.readPrelude(next);
                return StreamingTransport.XHR_STREAMING.nextFrame(next, HEARTBEAT.plus(SLACK)).text();
            }
        });
    }

    /**
     * Where the server can see an aborted idle request at all: directly, on Tomcat (the standalone
     * jar embeds it) and WildFly. Behind nginx the client's reset ends the client's connection to nginx, and nginx
     * closes its own connection to the server in order (FIN), so the server's next write still
     * succeeds; Payara's Grizzly reports a write into a reset connection as done. There an idle
     * request's abort shows a write later, or never for a poll (docs/sockjs.md, "What SockJS cannot
     * promise").
     */
    private static void assumeAbortsAreSeen() {
        assumeThat(NginxFront.requested()).as("nginx turns the client's reset into its own orderly close").isFalse();
        assumeThat(server.deploymentName()).as("a container that reports a write into a reset connection")
                .isIn("standalone", "tomcat", "wildfly");
    }

    /** A receiving request's first frame. */
    private interface FirstFrame {
        String take() throws Exception;
    }

    /** Requests until the server noticed the abort; then the answer must be a new session or 1002. */
    private static void assertNextReceiverFindsTheSessionClosed(FirstFrame request) {
        List<String> answers = new ArrayList<>();
        await("a receiving request after the abort").atMost(HEARTBEAT.multipliedBy(2).plus(SLACK))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    String frame = request.take();
                    answers.add(frame);
                    return !frame.equals(ANOTHER_CONNECTION);
                });
        assertThat(answers.get(answers.size() - 1)).as("first frame after the aborted request (answers: %s)", answers)
                .isIn("o", INTERRUPTED);
    }
}
