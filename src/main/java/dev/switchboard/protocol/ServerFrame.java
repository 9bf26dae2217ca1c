package dev.switchboard.protocol;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;

/**
 * A frame the server sends on the native channel endpoint (docs/protocol.md, Server frames). Null fields are
 * left out of the JSON.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "welcome", type = ServerFrame.Welcome.class),
        @JsonbSubtype(alias = "message", type = ServerFrame.Message.class),
        @JsonbSubtype(alias = "subscribed", type = ServerFrame.Subscribed.class),
        @JsonbSubtype(alias = "error", type = ServerFrame.Error.class),
        @JsonbSubtype(alias = "pong", type = ServerFrame.Pong.class),
        @JsonbSubtype(alias = "refreshed", type = ServerFrame.Refreshed.class),
        @JsonbSubtype(alias = "expiring", type = ServerFrame.Expiring.class)
})
public sealed interface ServerFrame {

    /** The first frame after open. */
    record Welcome(String sessionId, String channelId, String user, long heartbeatMs) implements ServerFrame {
    }

    /**
     * A delivered message. Exactly one of {@code topic}, {@code user}, {@code channel} is set, or
     * {@code broadcast} is true. {@code offset}/{@code epoch} are set for topic messages,
     * {@code destination} for user messages sent to a named destination, {@code ack} when the
     * client must acknowledge. A binary payload (published from STOMP) has {@code data} in base64
     * with {@code encoding: "base64"} and its {@code contentType}.
     */
    record Message(String id, String topic, String user, String channel, Boolean broadcast, String destination,
            Long offset, String epoch, JsonValue data, long ts, Boolean ack, String contentType, String encoding)
            implements ServerFrame {
    }

    record Subscribed(String topic, long offset, String epoch, boolean recovered) implements ServerFrame {
    }

    /** A refused or malformed request; {@code ref} names it where known. */
    record Error(String code, String message, Ref ref) implements ServerFrame {
    }

    record Pong() implements ServerFrame {
    }

    /** A {@code refresh} was accepted: the session now holds a token with this {@code exp} (seconds since the epoch). */
    record Refreshed(long exp) implements ServerFrame {
    }

    /**
     * The session's token expires at {@code exp} (seconds since the epoch): refresh it before then,
     * or the session is closed with 1008 {@code token expired} (after the 30 s clock skew).
     */
    record Expiring(long exp) implements ServerFrame {
    }

    /** What an error refers to: the offending request's type and topic, where known. */
    record Ref(String type, String topic) {
    }
}
