package dev.switchboard.push;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.PublishReceipt;
import dev.switchboard.broker.PushReceipt;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.broker.UserDestinations;
import dev.switchboard.protocol.JsonNesting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import java.util.Optional;

/**
 * Pushes messages to connected clients from application code running in the same application as
 * Switchboard, as Spring's {@code SimpMessagingTemplate} does: inject it and call it from a JAX-RS
 * resource, a {@code @MessageMapping} method, an observer, a scheduled job (docs/pusher.md).
 *
 * <pre>{@code
 * @Path("/calls")
 * public class CallResource {
 *     @Inject
 *     Pusher pusher;
 *
 *     @POST
 *     @Path("/{agent}")
 *     public void offer(@PathParam("agent") String agent, Call call) {
 *         // Every session of the agent gets {"type":"message","user":agent,"destination":"calls",
 *         // "data":{...the call as JSON...},"ack":true,...}, kept until one of them acks it.
 *         pusher.toUser(agent, "calls", call, true);
 *         pusher.toTopic("queue-status", Map.of("offered", call.id()));
 *     }
 * }
 * }</pre>
 *
 * <p>It is what the HTTP API's pushes run through (docs/http-api.md, Push), so both follow the
 * same rules and answer with the same receipts: {@code toTopic} is {@code POST
 * /api/v1/topics/{topic}/messages}, {@code toUser} is {@code POST /api/v1/users/{user}/messages},
 * {@code toChannel} is {@code POST /api/v1/channels/{channelId}/messages}, {@code toEveryone} is
 * {@code POST /api/v1/broadcast}. It needs no API key and counts against no API rate: the
 * application is trusted as the holder of the key is.
 *
 * <p>{@code data} is any object JSON-B can serialise, with the application's one {@code Jsonb}:
 * a record or bean becomes a JSON object, a {@code Map} an object, a {@code List} an array, a
 * {@code String} a JSON <em>string</em> ({@code "hello"} reaches clients as {@code "hello"}, never
 * as JSON text to be parsed), a {@code jakarta.json.JsonValue} is sent as it is (to push JSON
 * text you hold, parse it first: {@code jsonb.fromJson(text, JsonValue.class)}). Refused with a
 * {@link PushRefusedException}, before anything is sent or kept: {@code null} data (or data whose
 * JSON is {@code null}); JSON longer than {@link #MAX_DATA_BYTES} in UTF-8; JSON nested deeper
 * than {@link JsonNesting#MAX_DEPTH} levels; a topic name not matching
 * {@code [A-Za-z0-9._:-]{1,128}}; a user destination in none of the forms of
 * {@link UserDestinations}; a null user or channel id.
 *
 * <p>Cluster mode (docs/cluster.md): any node's {@code Pusher} reaches the clients of every node,
 * as the HTTP API does; if this node cannot reach Redis, a push throws
 * {@link ClusterUnavailableException} and nothing was accepted (retry later).
 *
 * <p>Thread safe; calls never wait for a client (each recipient's delivery is queued). Every
 * method may be called from any thread, including the threads that run application handlers and
 * event observers.
 */
@ApplicationScoped
public class Pusher {

    /** The largest data accepted, as JSON in UTF-8: the HTTP API's body limit (1 MiB). */
    public static final int MAX_DATA_BYTES = 1024 * 1024;

    private final Broker broker;
    private final Jsonb jsonb;

    /** {@code jsonb} serialises the data: the application's own, so its adapters and settings apply. */
    @Inject
    public Pusher(Broker broker, Jsonb jsonb) {
        this.broker = broker;
        this.jsonb = jsonb;
    }

    /** For the CDI container's client proxy only; the proxy calls the contextual instance. */
    protected Pusher() {
        this(null, null);
    }

    /**
     * Publishes {@code data} to the subscribers of {@code topic} on every node. The message gets the
     * topic's next offset and stays in its history (clients that resume get it).
     *
     * @return the message id, its offset and epoch, and how many subscribers on this node got it
     * @throws PushRefusedException if {@code topic} or {@code data} breaks the rules above
     * @throws ClusterUnavailableException in cluster mode, if Redis cannot be reached
     */
    public PublishReceipt toTopic(String topic, Object data) {
        if (!TopicNames.isValid(topic)) {
            throw invalid("topic must match " + TopicNames.RULE);
        }
        return broker.publish(topic, json(data));
    }

    /**
     * Pushes {@code data} to every open session of {@code user} on every node, not acknowledged:
     * {@link #toUser(String, String, Object, boolean) toUser(user, null, data, false)}.
     */
    public PushReceipt toUser(String user, Object data) {
        return toUser(user, null, data, false);
    }

    /**
     * Pushes {@code data} to every open session of {@code user} on every node:
     * {@link #toUser(String, String, Object, boolean) toUser(user, null, data, ack)}.
     */
    public PushReceipt toUser(String user, Object data, boolean ack) {
        return toUser(user, null, data, ack);
    }

    /**
     * Pushes {@code data} to every open session of {@code user} on every node, on a user
     * destination. With {@code ack}, the message frame carries {@code "ack": true} and the message
     * waits in the user's inbox, reaching sessions that open later, until a session acks it
     * (docs/protocol.md, "Delivery guarantees"); without, a user with no open session never gets it.
     *
     * @param destination null for none (STOMP sessions get it on {@code /user/queue/messages}), or
     *     {@code calls}, {@code /queue/calls} or {@code /user/queue/calls}, all meaning {@code calls}:
     *     native sessions see {@code "destination": "calls"}, STOMP sessions receive it on
     *     {@code /user/queue/calls} (docs/http-api.md, User destinations)
     * @return the message id and how many open sessions the user had, on every node
     * @throws PushRefusedException if {@code user} is null, or {@code destination} or {@code data}
     *     breaks the rules above
     * @throws ClusterUnavailableException in cluster mode, if Redis cannot be reached
     */
    public PushReceipt toUser(String user, String destination, Object data, boolean ack) {
        if (user == null) {
            throw invalid("user is required");
        }
        String name = null;
        if (destination != null) {
            name = UserDestinations.nameOf(destination);
            if (name == null) {
                throw invalid("destination must be " + UserDestinations.FORMS);
            }
        }
        return broker.pushToUser(user, name, json(data), ack);
    }

    /**
     * Pushes {@code data} to the session holding {@code channelId}, on whichever node. With
     * {@code ack}, the message waits in the channel's inbox until acked, also across a reconnect
     * of the channel.
     *
     * @return the message id (and 1 session), or empty if no session holds the channel: then
     *     nothing was sent or kept (the HTTP API's 404)
     * @throws PushRefusedException if {@code channelId} is null or {@code data} breaks the rules above
     * @throws ClusterUnavailableException in cluster mode, if Redis cannot be reached
     */
    public Optional<PushReceipt> toChannel(String channelId, Object data, boolean ack) {
        if (channelId == null) {
            throw invalid("channelId is required");
        }
        return broker.pushToChannel(channelId, json(data), ack);
    }

    /**
     * Pushes {@code data} to every open session of every node; clients see {@code "broadcast": true}.
     *
     * @return the message id and how many sessions of <em>this</em> node got it (the other nodes
     *     deliver to theirs)
     * @throws PushRefusedException if {@code data} breaks the rules above
     * @throws ClusterUnavailableException in cluster mode, if Redis cannot be reached
     */
    public PushReceipt toEveryone(Object data) {
        return broker.broadcast(json(data));
    }

    /** {@code data} as the JSON text clients will receive, once it passes the rules. */
    private String json(Object data) {
        String json = data == null ? "null" : jsonb.toJson(data);
        if (json.equals("null")) {
            throw invalid("data is required and may not be null");
        }
        if (exceedsUtf8Bytes(json, MAX_DATA_BYTES)) {
            throw new PushRefusedException(PushRefusedException.Reason.TOO_LARGE,
                    "data exceeds " + MAX_DATA_BYTES + " bytes as JSON");
        }
        if (JsonNesting.tooDeep(json)) {
            throw invalid(JsonNesting.TOO_DEEP);
        }
        return json;
    }

    /** Whether {@code text} takes more than {@code limit} bytes in UTF-8; counts no further than needed. */
    static boolean exceedsUtf8Bytes(String text, int limit) {
        if (text.length() > limit) {
            return true; // every char takes at least one byte
        }
        if ((long) text.length() * 3 <= limit) {
            return false; // a char takes at most three bytes (a surrogate pair, two chars, takes four)
        }
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limit; i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes > limit;
    }

    private static PushRefusedException invalid(String message) {
        return new PushRefusedException(PushRefusedException.Reason.INVALID, message);
    }
}
