package dev.switchboard.protocol;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;

/**
 * A frame a client sends on the native channel endpoint (docs/protocol.md, Client frames): one JSON object
 * whose {@code type} names the record below. Fields a client left out are null.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "subscribe", type = ClientFrame.Subscribe.class),
        @JsonbSubtype(alias = "unsubscribe", type = ClientFrame.Unsubscribe.class),
        @JsonbSubtype(alias = "publish", type = ClientFrame.Publish.class),
        @JsonbSubtype(alias = "send", type = ClientFrame.Send.class),
        @JsonbSubtype(alias = "ack", type = ClientFrame.Ack.class),
        @JsonbSubtype(alias = "ping", type = ClientFrame.Ping.class),
        @JsonbSubtype(alias = "refresh", type = ClientFrame.Refresh.class)
})
public sealed interface ClientFrame {

    /** Subscribe to {@code topic}; with {@code since}, continue from that position. */
    record Subscribe(String topic, Since since) implements ClientFrame {
    }

    record Unsubscribe(String topic) implements ClientFrame {
    }

    /** Publish {@code data} to {@code topic} (needs the publisher role or an open-publish rule). */
    record Publish(String topic, JsonValue data) implements ClientFrame {
    }

    /** Hand {@code data} to the application handler for destination {@code to}. */
    record Send(String to, JsonValue data) implements ClientFrame {
    }

    /** Acknowledge the message with {@code id}. */
    record Ack(String id) implements ClientFrame {
    }

    record Ping() implements ClientFrame {
    }

    /**
     * Replace the session's token with {@code token}, a newer one for the same user (docs/protocol.md,
     * Token lifecycle): answered by {@code refreshed}, or an {@code error} with code {@code forbidden}.
     */
    record Refresh(String token) implements ClientFrame {

        /** Never shows the token: a frame may end up in a log line or an exception message. */
        @Override
        public String toString() {
            return "Refresh[token=" + (token == null ? "null" : "(hidden)") + "]";
        }
    }

    /** A stream position in a subscribe request. */
    record Since(Long offset, String epoch) {
    }
}
