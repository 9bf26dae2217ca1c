package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.messaging.WebSocketStompClient;
import org.springframework.web.socket.sockjs.client.RestTemplateXhrTransport;
import org.springframework.web.socket.sockjs.client.SockJsClient;
import org.springframework.web.socket.sockjs.client.Transport;
import org.springframework.web.socket.sockjs.client.TransportRequest;
import org.springframework.web.socket.sockjs.client.WebSocketTransport;

/**
 * The SockJS STOMP endpoint {@code /sockjs/stomp} seen by Spring's own SockJS client, as a Java
 * service or test suite that used {@code withSockJS()} connects: {@code WebSocketStompClient} over
 * {@code SockJsClient}, with the transports Spring's reference documentation lists, and with the
 * XHR transport alone (xhr_streaming, and xhr polling). Each runs the echo walk-through and a user
 * push written as Spring's {@code convertAndSendToUser(user, "/queue/notifications", ...)} destination.
 */
@ContainerMatrix
class SpringSockJsClientIT {

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("sockjs-spring", Map.of());

    private static ThreadPoolTaskScheduler heartbeatScheduler;

    @BeforeAll
    static void createScheduler() {
        heartbeatScheduler = new ThreadPoolTaskScheduler();
        heartbeatScheduler.initialize();
    }

    @AfterAll
    static void stopScheduler() {
        heartbeatScheduler.shutdown();
    }

    /**
     * The SockJS transports (the last segment of each transport URL: {@code websocket},
     * {@code xhr_streaming}, {@code xhr}) that the client tried, in order. SockJsClient falls back
     * to the next transport silently; the tests check that the transport under test carried the
     * session, not a fallback.
     */
    private static final class TransportsTried {
        final List<String> names = new CopyOnWriteArrayList<>();

        void record(TransportRequest request) {
            String path = request.getTransportUrl().getPath();
            names.add(path.substring(path.lastIndexOf('/') + 1));
        }

        WebSocketTransport webSocket() {
            return new WebSocketTransport(new StandardWebSocketClient()) {
                @Override
                public CompletableFuture<WebSocketSession> connectAsync(TransportRequest request,
                        WebSocketHandler handler) {
                    record(request);
                    return super.connectAsync(request, handler);
                }
            };
        }

        RestTemplateXhrTransport xhr() {
            return new RestTemplateXhrTransport() {
                @Override
                public CompletableFuture<WebSocketSession> connectAsync(TransportRequest request,
                        WebSocketHandler handler) {
                    record(request);
                    return super.connectAsync(request, handler);
                }
            };
        }
    }

    /** Hands text and JSON bodies to the test as strings (Spring's converter only takes text/plain). */
    private static final class JsonAsTextConverter extends StringMessageConverter {
        JsonAsTextConverter() {
            addSupportedMimeTypes(MimeTypeUtils.APPLICATION_JSON);
        }
    }

    /** Messages of one subscription as text (JSON bodies included), in order of arrival. */
    private static final class Inbox implements StompFrameHandler {
        record Received(StompHeaders headers, String body) {
        }

        final LinkedBlockingQueue<Received> messages = new LinkedBlockingQueue<>();

        @Override
        public Type getPayloadType(StompHeaders headers) {
            return String.class;
        }

        @Override
        public void handleFrame(StompHeaders headers, Object payload) {
            messages.add(new Received(headers, (String) payload));
        }

        Received next() throws InterruptedException {
            Received received = messages.poll(10, TimeUnit.SECONDS);
            assertThat(received).as("a message within 10 s").isNotNull();
            return received;
        }
    }

    /** Spring's STOMP client over SockJsClient with {@code transports}, connected as {@code user}. */
    private static StompSession connect(List<Transport> transports, String user) throws Exception {
        WebSocketStompClient stompClient = new WebSocketStompClient(new SockJsClient(transports));
        stompClient.setMessageConverter(new JsonAsTextConverter());
        stompClient.setTaskScheduler(heartbeatScheduler);
        StompHeaders connectHeaders = new StompHeaders();
        connectHeaders.add("Authorization", "Bearer " + TestTokens.token(user));
        // An http: URL, as for SockJsClient in a Spring application; it asks /info first.
        URI endpoint = server.uri("/sockjs/stomp");
        return stompClient.connectAsync(endpoint.toString(), new WebSocketHttpHeaders(), connectHeaders,
                new StompSessionHandlerAdapter() { }).get(20, TimeUnit.SECONDS);
    }

    /** Subscribes and waits for the server's RECEIPT, so nothing pushed afterwards is missed. */
    private static Inbox subscribe(StompSession session, String destination) throws Exception {
        StompHeaders headers = new StompHeaders();
        headers.setDestination(destination);
        headers.setReceipt("sub-" + destination);
        Inbox inbox = new Inbox();
        CompletableFuture<Void> receipt = new CompletableFuture<>();
        session.subscribe(headers, inbox).addReceiptTask(() -> receipt.complete(null));
        receipt.get(10, TimeUnit.SECONDS);
        return inbox;
    }

    /** The echo walk-through, then a call pushed the way a Spring backend names the destination. */
    private static void walkThrough(StompSession session, String user) throws Exception {
        Inbox echo = subscribe(session, "/topic/echo");
        Inbox notifications = subscribe(session, "/user/queue/notifications");
        session.send("/app/echo", "hello");
        Inbox.Received reply = echo.next();
        assertThat(reply.body()).isEqualTo("reply: hello");
        assertThat(reply.headers().getDestination()).isEqualTo("/topic/echo");

        HttpApi.Response push = HttpApi.withApiKey(server).post("/api/v1/users/" + user + "/messages",
                "{\"data\":{\"caller\":\"+49 30 1234\"},\"destination\":\"/queue/notifications\"}");
        assertThat(push.status()).isEqualTo(202);
        Inbox.Received popUp = notifications.next();
        assertThat(popUp.body()).isEqualTo("{\"caller\":\"+49 30 1234\"}");
        assertThat(popUp.headers().getDestination()).isEqualTo("/user/queue/notifications");
        assertThat(popUp.headers().getContentType()).isEqualTo(MimeTypeUtils.APPLICATION_JSON);
    }

    @Test
    void withWebSocketAndXhrTransportsTheSessionRunsOnWebSocket() throws Exception {
        TransportsTried tried = new TransportsTried();
        StompSession session = connect(List.of(tried.webSocket(), tried.xhr()), "sockjs-ws");
        walkThrough(session, "sockjs-ws");
        assertThat(tried.names).containsExactly("websocket");
        session.disconnect();
    }

    @Test
    void withTheXhrTransportAloneTheSessionRunsOnXhrStreaming() throws Exception {
        TransportsTried tried = new TransportsTried();
        StompSession session = connect(List.of(tried.xhr()), "sockjs-xhr-streaming");
        walkThrough(session, "sockjs-xhr-streaming");
        assertThat(tried.names).containsExactly("xhr_streaming");
        session.disconnect();
    }

    @Test
    void withXhrStreamingDisabledTheSessionRunsOnXhrPolling() throws Exception {
        TransportsTried tried = new TransportsTried();
        RestTemplateXhrTransport polling = tried.xhr();
        polling.setXhrStreamingDisabled(true);
        StompSession session = connect(List.of(polling), "sockjs-xhr-polling");
        walkThrough(session, "sockjs-xhr-polling");
        assertThat(tried.names).containsExactly("xhr");
        session.disconnect();
    }
}
