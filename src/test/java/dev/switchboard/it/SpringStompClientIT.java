package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.ConnectionLostException;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.MimeTypeUtils;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;

/**
 * The STOMP endpoint seen by Spring's {@code WebSocketStompClient}: what a team moving off
 * Spring's simple broker points at Switchboard unchanged.
 */
@ContainerMatrix
class SpringStompClientIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("stomp-spring",
            Map.of("stomp.ack.timeout.ms", "60000"));

    private static WebSocketStompClient stompClient;
    private static ThreadPoolTaskScheduler heartbeatScheduler;

    @BeforeAll
    static void createClient() {
        stompClient = new WebSocketStompClient(new StandardWebSocketClient());
        stompClient.setMessageConverter(new CompositeMessageConverter(
                List.of(new JsonAsTextConverter(), new ByteArrayMessageConverter())));
        heartbeatScheduler = new ThreadPoolTaskScheduler();
        heartbeatScheduler.initialize();
        stompClient.setTaskScheduler(heartbeatScheduler);
    }

    @AfterAll
    static void stopClient() {
        heartbeatScheduler.shutdown();
    }

    /** Hands text and JSON bodies to the test as strings (Spring's converter only takes text/plain). */
    private static final class JsonAsTextConverter extends StringMessageConverter {
        JsonAsTextConverter() {
            addSupportedMimeTypes(MimeTypeUtils.APPLICATION_JSON);
        }
    }

    /** Records what the server did to a session: CONNECTED headers, ERROR frames, lost connections. */
    private static final class Recorder extends StompSessionHandlerAdapter {
        final CompletableFuture<StompHeaders> connected = new CompletableFuture<>();
        final CompletableFuture<StompHeaders> error = new CompletableFuture<>();
        final CompletableFuture<Throwable> lost = new CompletableFuture<>();
        /** Frames the client could not hand to a handler (for instance a failed body conversion). */
        final LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

        @Override
        public void afterConnected(StompSession session, StompHeaders connectedHeaders) {
            connected.complete(connectedHeaders);
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            error.complete(headers); // the session handler only receives ERROR frames
        }

        @Override
        public void handleException(StompSession session, StompCommand command, StompHeaders headers,
                byte[] payload, Throwable exception) {
            failures.add(exception);
        }

        @Override
        public void handleTransportError(StompSession session, Throwable exception) {
            if (exception instanceof ConnectionLostException) {
                lost.complete(exception);
            }
        }
    }

    /** Messages of one subscription, with their headers; binary bodies as ISO-8859-1 text, byte for byte. */
    private static final class Inbox implements StompFrameHandler {
        record Received(StompHeaders headers, String body) {
        }

        final LinkedBlockingQueue<Received> messages = new LinkedBlockingQueue<>();

        @Override
        public Type getPayloadType(StompHeaders headers) {
            String type = String.valueOf(headers.getContentType());
            return type.startsWith("text/") || type.startsWith("application/json") ? String.class : byte[].class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            messages.add(new Received(headers, payload instanceof byte[] bytes
                    ? new String(bytes, StandardCharsets.ISO_8859_1) : (String) payload));
        }

        Received next() throws InterruptedException {
            Received received = messages.poll(10, TimeUnit.SECONDS);
            assertThat(received).as("a message within 10 s").isNotNull();
            return received;
        }
    }

    private static StompSession connect(String token) throws Exception {
        return connect(token, new Recorder());
    }

    private static StompSession connect(String token, Recorder recorder) throws Exception {
        StompHeaders connectHeaders = new StompHeaders();
        connectHeaders.add("Authorization", "Bearer " + token);
        StompSession session = stompClient.connectAsync(stompUrl(""), new WebSocketHttpHeaders(), connectHeaders,
                recorder).get(10, TimeUnit.SECONDS);
        recorder.connected.get(10, TimeUnit.SECONDS);
        return session;
    }

    private static String stompUrl(String query) {
        return server.wsUri("/ws/stomp" + query).toString();
    }

    /** Subscribes and waits for the server's RECEIPT, so nothing published afterwards is missed. */
    private static Inbox subscribe(StompSession session, String destination, String ackMode) throws Exception {
        StompHeaders headers = new StompHeaders();
        headers.setDestination(destination);
        headers.setAck(ackMode);
        headers.setReceipt("sub-" + destination);
        Inbox inbox = new Inbox();
        CompletableFuture<Void> receipt = new CompletableFuture<>();
        session.subscribe(headers, inbox).addReceiptTask(() -> receipt.complete(null));
        receipt.get(10, TimeUnit.SECONDS);
        return inbox;
    }

    @Test
    void connectsWithABearerTokenAndLearnsItsUserName() throws Exception {
        Recorder recorder = new Recorder();
        StompSession session = connect(TestTokens.token("alice"), recorder);
        StompHeaders connected = recorder.connected.get();
        assertThat(connected.getFirst("user-name")).isEqualTo("alice");
        assertThat(connected.getFirst("version")).isEqualTo("1.2");
        assertThat(connected.getFirst("server")).startsWith("Switchboard/");
        session.disconnect();
    }

    @Test
    void connectsWithPasscodeAndWithATokenInTheUrl() throws Exception {
        StompHeaders passcode = new StompHeaders();
        passcode.setLogin("ignored");
        passcode.setPasscode(TestTokens.token("bob"));
        Recorder byPasscode = new Recorder();
        stompClient.connectAsync(stompUrl(""), new WebSocketHttpHeaders(), passcode, byPasscode)
                .get(10, TimeUnit.SECONDS);
        assertThat(byPasscode.connected.get(10, TimeUnit.SECONDS).getFirst("user-name")).isEqualTo("bob");

        Recorder byQuery = new Recorder();
        stompClient.connectAsync(stompUrl("?token=" + TestTokens.token("carol")), new WebSocketHttpHeaders(),
                new StompHeaders(), byQuery).get(10, TimeUnit.SECONDS);
        assertThat(byQuery.connected.get(10, TimeUnit.SECONDS).getFirst("user-name")).isEqualTo("carol");
    }

    @Test
    void aBadTokenGetsAnErrorFrameAndTheConnectionCloses() throws Exception {
        Recorder recorder = new Recorder();
        StompHeaders connectHeaders = new StompHeaders();
        connectHeaders.add("Authorization", "Bearer " + TestTokens.expiredToken("mallory"));
        stompClient.connectAsync(stompUrl(""), new WebSocketHttpHeaders(), connectHeaders, recorder);
        StompHeaders error = recorder.error.get(10, TimeUnit.SECONDS);
        assertThat(error.getFirst("message")).isEqualTo("authentication failed");
        assertThat(recorder.lost.get(10, TimeUnit.SECONDS)).isInstanceOf(ConnectionLostException.class);
        assertThat(recorder.connected).isNotDone();
    }

    @Test
    void echoAnswersHelloWithReplyHelloOnTopicEcho() throws Exception {
        StompSession session = connect(TestTokens.token("alice"));
        Inbox echo = subscribe(session, "/topic/echo", "auto");
        session.send("/app/echo", "hello");
        Inbox.Received reply = echo.next();
        assertThat(reply.body()).isEqualTo("reply: hello");
        assertThat(reply.headers().getDestination()).isEqualTo("/topic/echo");
        session.disconnect();
    }

    @Test
    void topicMessagesCrossProtocolsBothWays() throws Exception {
        StompSession stomp = connect(TestTokens.token("stomp-pub", "publisher"));
        Inbox inbox = subscribe(stomp, "/topic/cross", "auto");
        try (ChannelClient nativeClient = ChannelClient.connect(server, TestTokens.token("native-pub", "publisher"),
                "spring-cross")) {
            nativeClient.expect("welcome");
            nativeClient.send("{\"type\":\"subscribe\",\"topic\":\"cross\"}");
            nativeClient.expect("subscribed");

            nativeClient.send("{\"type\":\"publish\",\"topic\":\"cross\",\"data\":{\"n\":1}}");
            Inbox.Received fromNative = inbox.next();
            assertThat(fromNative.body()).isEqualTo("{\"n\":1}");
            assertThat(fromNative.headers().getContentType().toString()).isEqualTo("application/json");
            assertThat(nativeClient.expect("message").getJsonObject("data").getInt("n")).isEqualTo(1);

            stomp.send("/topic/cross", "plain text from STOMP");
            assertThat(inbox.next().body()).isEqualTo("plain text from STOMP");
            JsonObject onNative = nativeClient.expect("message");
            assertThat(onNative.getString("data")).isEqualTo("plain text from STOMP");
            assertThat(onNative.getJsonNumber("offset").longValue()).isEqualTo(2);
        }
        stomp.disconnect();
    }

    @Test
    void binaryBodiesKeepTheirBytesAndContentTypeAndReachNativeClientsAsBase64() throws Exception {
        Recorder recorder = new Recorder();
        StompSession stomp = connect(TestTokens.token("bin-pub", "publisher"), recorder);
        Inbox inbox = subscribe(stomp, "/topic/bin", "auto");
        byte[] image = {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xFF, '\n', 0, (byte) 0xC3};
        try (ChannelClient nativeClient = ChannelClient.connect(server, TestTokens.token("bin-reader"), "spring-bin")) {
            nativeClient.expect("welcome");
            nativeClient.send("{\"type\":\"subscribe\",\"topic\":\"bin\"}");
            nativeClient.expect("subscribed");
            StompHeaders headers = new StompHeaders();
            headers.setDestination("/topic/bin");
            // Spring's client sends a binary WebSocket message only for application/octet-stream.
            headers.setContentType(MimeTypeUtils.APPLICATION_OCTET_STREAM);
            stomp.send(headers, image);

            JsonObject onNative = nativeClient.expect("message");
            assertThat(onNative.getString("contentType")).isEqualTo("application/octet-stream");
            assertThat(onNative.getString("encoding")).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(onNative.getString("data"))).isEqualTo(image);
            Inbox.Received received = inbox.next();
            assertThat(recorder.failures).isEmpty();
            assertThat(received.headers().getContentType()).isEqualTo(MimeTypeUtils.APPLICATION_OCTET_STREAM);
            assertThat(received.body().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(image);
        }
        stomp.disconnect();
    }

    @Test
    void userDestinationsReachOnlyThatUser() throws Exception {
        StompSession alice = connect(TestTokens.token("spring-alice"));
        StompSession bob = connect(TestTokens.token("spring-bob"));
        Inbox aliceCalls = subscribe(alice, "/user/queue/calls", "auto");
        Inbox bobCalls = subscribe(bob, "/user/queue/calls", "auto");
        HttpApi api = HttpApi.withApiKey(server);
        assertThat(api.post("/api/v1/users/spring-alice/messages",
                "{\"data\":{\"caller\":\"+49 30 1234\"},\"destination\":\"calls\"}").status()).isEqualTo(202);
        assertThat(api.post("/api/v1/users/spring-bob/messages",
                "{\"data\":\"for bob\",\"destination\":\"calls\"}").status()).isEqualTo(202);
        Inbox.Received forAlice = aliceCalls.next();
        assertThat(forAlice.body()).isEqualTo("{\"caller\":\"+49 30 1234\"}");
        assertThat(forAlice.headers().getDestination()).isEqualTo("/user/queue/calls");
        assertThat(bobCalls.next().body()).isEqualTo("for bob"); // bob's first message is his own
        alice.disconnect();
        bob.disconnect();
    }

    @Test
    void aPushToNotificationsReachesTheUserQueueWhicheverWayTheBackendWritesTheDestination() throws Exception {
        // The call-centre pop-up of a Spring application: the page subscribes to /user/queue/notifications and
        // the backend, which used convertAndSendToUser(user, "/queue/notifications", payload), keeps its string.
        StompSession agent = connect(TestTokens.token("spring-agent"));
        Inbox notifications = subscribe(agent, "/user/queue/notifications", "auto");
        HttpApi api = HttpApi.withApiKey(server);
        for (String written : List.of("notifications", "/queue/notifications", "/user/queue/notifications")) {
            HttpApi.Response response = api.post("/api/v1/users/spring-agent/messages",
                    "{\"data\":{\"written\":\"" + written + "\"},\"destination\":\"" + written + "\"}");
            assertThat(response.status()).as("push with destination %s", written).isEqualTo(202);
            assertThat(response.json().getInt("sessions")).isEqualTo(1);
            Inbox.Received popUp = notifications.next();
            assertThat(popUp.body()).isEqualTo("{\"written\":\"" + written + "\"}");
            assertThat(popUp.headers().getDestination()).isEqualTo("/user/queue/notifications");
        }
        agent.disconnect();
    }

    @Test
    void subscribingToAnotherUsersQueueIsAnError() throws Exception {
        Recorder recorder = new Recorder();
        StompSession session = connect(TestTokens.token("eve"), recorder);
        session.subscribe("/user/alice/queue/calls", new Inbox());
        assertThat(recorder.error.get(10, TimeUnit.SECONDS).getFirst("message")).isEqualTo("forbidden");
        assertThat(recorder.lost.get(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void publishingWithoutThePublisherRoleIsAnError() throws Exception {
        Recorder recorder = new Recorder();
        StompSession session = connect(TestTokens.token("eve"), recorder);
        session.send("/topic/guarded", "spam");
        assertThat(recorder.error.get(10, TimeUnit.SECONDS).getFirst("message")).isEqualTo("forbidden");
    }

    @Test
    void aNackedMessageIsRedeliveredAndAnAckedOneIsNot() throws Exception {
        StompSession session = connect(TestTokens.token("acker", "publisher"));
        session.setAutoReceipt(false);
        Inbox inbox = subscribe(session, "/topic/acks", "client-individual");
        session.send("/topic/acks", "first");
        Inbox.Received first = inbox.next();
        assertThat(first.headers().getAck()).isNotBlank();
        session.acknowledge(first.headers().getAck(), false); // NACK
        Inbox.Received again = inbox.next();
        assertThat(again.body()).isEqualTo("first");
        assertThat(again.headers().getMessageId()).isEqualTo(first.headers().getMessageId());
        assertThat(again.headers().getFirst("redelivered")).isEqualTo("true");
        session.acknowledge(again.headers().getAck(), true); // ACK
        session.send("/topic/acks", "marker");
        Inbox.Received marker = inbox.next();
        assertThat(marker.body()).as("no redelivery of the acked message came before").isEqualTo("marker");
        session.acknowledge(marker.headers().getAck(), true);
        session.disconnect();
    }

    @Test
    void redeliveryStopsAfterTheConfiguredAttempts() throws Exception {
        StompSession session = connect(TestTokens.token("nacker", "publisher"));
        Inbox inbox = subscribe(session, "/topic/nacks", "client-individual");
        session.send("/topic/nacks", "poison");
        for (int attempt = 1; attempt <= 3; attempt++) {
            Inbox.Received received = inbox.next();
            assertThat(received.body()).isEqualTo("poison");
            session.acknowledge(received.headers().getAck(), false);
        }
        session.send("/topic/nacks", "marker");
        assertThat(inbox.next().body()).as("a fourth delivery of the poison message").isEqualTo("marker");
        session.disconnect();
    }

    @Test
    void heartBeatsAreNegotiated() throws Exception {
        Recorder recorder = new Recorder();
        StompHeaders connectHeaders = new StompHeaders();
        connectHeaders.add("Authorization", "Bearer " + TestTokens.token("beats"));
        connectHeaders.setHeartbeat(new long[] {2000, 3000});
        stompClient.connectAsync(stompUrl(""), new WebSocketHttpHeaders(), connectHeaders, recorder)
                .get(10, TimeUnit.SECONDS);
        long[] negotiated = recorder.connected.get(10, TimeUnit.SECONDS).getHeartbeat();
        assertThat(negotiated).containsExactly(3000, 2000); // we send as often as asked, expect what was offered
    }

    @Test
    void aSendToAnUnknownApplicationDestinationIsAnError() throws Exception {
        Recorder recorder = new Recorder();
        StompSession session = connect(TestTokens.token("alice"), recorder);
        session.send("/app/nowhere", "x");
        assertThat(recorder.error.get(10, TimeUnit.SECONDS).getFirst("message")).isEqualTo("no handler");
        assertThat(recorder.lost.get(10, TimeUnit.SECONDS)).isNotNull();
    }
}
