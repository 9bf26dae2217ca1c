package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The two SockJS services and what differs between them for a test that only needs a SockJS
 * session that talks: how a session is made (a query with token and channel on
 * {@code /sockjs/channel}), what the application says first after {@code o} ({@code welcome}, or
 * nothing until the client's STOMP CONNECT), and a request whose answer is known to the byte (a
 * native {@code ping}, or a STOMP SUBSCRIBE with a receipt).
 */
enum SockJsService {

    STOMP {
        @Override
        SockJsEndpoint endpoint(ServerProcess server, String label) {
            return SockJsEndpoint.stomp(server);
        }

        @Override
        String greetingFromClient(String user) {
            return stompConnect(TestTokens.token(user));
        }

        @Override
        Predicate<String> isGreeting() {
            return message -> message.startsWith("CONNECTED\n");
        }

        @Override
        String probe(String id) {
            return "SUBSCRIBE\nid:" + id + "\ndestination:/topic/sockjs-probe\nreceipt:" + id + "\n\n\0";
        }

        @Override
        String probeAnswer(String id) {
            return "RECEIPT\nreceipt-id:" + id + "\n\n\0";
        }

        @Override
        String subscribe(String topic, String receipt) {
            return "SUBSCRIBE\nid:" + topic + "\ndestination:/topic/" + topic + "\nreceipt:" + receipt + "\n\n\0";
        }

        @Override
        Predicate<String> isSubscribed(String topic, String receipt) {
            return message -> message.equals("RECEIPT\nreceipt-id:" + receipt + "\n\n\0");
        }

        @Override
        String echoRequest(String text) {
            int length = text.getBytes(StandardCharsets.UTF_8).length;
            return "SEND\ndestination:/app/echo\ncontent-type:text/plain;charset=UTF-8\ncontent-length:" + length
                    + "\n\n" + text + "\0";
        }

        @Override
        Optional<String> topicData(String topic, String message) {
            if (!message.startsWith("MESSAGE\n")) {
                return Optional.empty();
            }
            StompText frame = StompText.parse(message);
            return frame.header("destination").equals("/topic/" + topic) ? Optional.of(frame.body()) : Optional.empty();
        }
    },

    CHANNEL {
        @Override
        SockJsEndpoint endpoint(ServerProcess server, String label) {
            return SockJsEndpoint.channel(server, TestTokens.token(USER), SockJsEndpoint.freshChannelId(label));
        }

        @Override
        String greetingFromClient(String user) {
            return null;
        }

        @Override
        Predicate<String> isGreeting() {
            return message -> message.startsWith("{") && "welcome".equals(
                    ChannelClient.JSONB.fromJson(message, jakarta.json.JsonObject.class).getString("type", null));
        }

        @Override
        String probe(String id) {
            return "{\"type\":\"ping\"}";
        }

        @Override
        String probeAnswer(String id) {
            return "{\"type\":\"pong\"}";
        }

        @Override
        String subscribe(String topic, String receipt) {
            return "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}";
        }

        @Override
        Predicate<String> isSubscribed(String topic, String receipt) {
            return message -> {
                JsonObject frame = json(message);
                return frame != null && "subscribed".equals(frame.getString("type", null))
                        && topic.equals(frame.getString("topic", null));
            };
        }

        @Override
        String echoRequest(String text) {
            return "{\"type\":\"send\",\"to\":\"echo\",\"data\":" + Json.createValue(text) + "}";
        }

        @Override
        Optional<String> topicData(String topic, String message) {
            JsonObject frame = json(message);
            if (frame == null || !"message".equals(frame.getString("type", null))
                    || !topic.equals(frame.getString("topic", null))) {
                return Optional.empty();
            }
            JsonValue data = frame.get("data");
            return Optional.of(data.getValueType() == JsonValue.ValueType.STRING
                    ? ((JsonString) data).getString() : data.toString());
        }
    };

    private static JsonObject json(String message) {
        if (!message.startsWith("{")) {
            return null;
        }
        return ChannelClient.JSONB.fromJson(message, JsonObject.class);
    }

    /** The user of the sessions a test makes with {@link #endpoint}. */
    static final String USER = "sockjs-user";

    /**
     * An endpoint for one new session; on the channel service with a channel of its own (one
     * session per channel), named after {@code label}.
     */
    abstract SockJsEndpoint endpoint(ServerProcess server, String label);

    /** What the client must send first after {@code o}, or null if the server speaks first. */
    abstract String greetingFromClient(String user);

    /** The application's first message to a new session: {@code welcome}, or STOMP CONNECTED. */
    abstract Predicate<String> isGreeting();

    /** A message whose answer is {@link #probeAnswer} exactly; {@code id} makes it unique where the protocol allows. */
    abstract String probe(String id);

    abstract String probeAnswer(String id);

    /** Subscribes to {@code topic} (a STOMP SUBSCRIBE to {@code /topic/<topic>} with {@code receipt}). */
    abstract String subscribe(String topic, String receipt);

    /** The confirmation of {@link #subscribe}: native {@code subscribed}, or the RECEIPT. */
    abstract Predicate<String> isSubscribed(String topic, String receipt);

    /**
     * A request to the built-in {@code echo} handler, which answers on topic {@code echo} with
     * {@code reply: <text>} (a native {@code send} to {@code echo}, or a STOMP SEND to
     * {@code /app/echo}, with content-length so any character may be in the body).
     */
    abstract String echoRequest(String text);

    /**
     * The data of a message on {@code topic} (the native {@code data}, a JSON string's value or
     * other JSON's text; the STOMP body), or empty if {@code message} is something else.
     */
    abstract Optional<String> topicData(String topic, String message);

    /** Subscribes {@code session} to {@code topic} and waits for the confirmation. */
    void subscribeAndConfirm(SockJsSession session, String topic) throws Exception {
        String receipt = "sub-" + topic;
        session.send(subscribe(topic, receipt));
        session.awaitMessage(isSubscribed(topic, receipt), Duration.ofSeconds(10));
    }

    /** A STOMP 1.2 CONNECT with the token in {@code Authorization}, and no STOMP heart-beats (SockJS has its own). */
    static String stompConnect(String token) {
        return "CONNECT\naccept-version:1.2\nhost:switchboard\nheart-beat:0,0\nAuthorization:Bearer " + token + "\n\n\0";
    }

    /**
     * Opens a session over xhr polling and goes through the application's greeting (welcome, or
     * CONNECT and CONNECTED), so that the session is ready for messages.
     */
    SockJsSession openReady(SockJsEndpoint endpoint) throws Exception {
        SockJsSession session = endpoint.newSession().open();
        greet(session);
        return session;
    }

    /** The application's greeting on an opened session. */
    void greet(SockJsSession session) throws Exception {
        String first = greetingFromClient(USER);
        if (first != null) {
            session.send(first);
        }
        assertThat(session.nextMessage(Duration.ofSeconds(10))).matches(isGreeting());
    }
}
