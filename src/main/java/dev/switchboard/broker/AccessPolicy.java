package dev.switchboard.broker;

/**
 * What a connected client may do with destinations. Implemented by the security layer; asked by
 * every protocol (native, STOMP, both over SockJS) before it subscribes, publishes or hands a
 * message to an application handler on a client's behalf. A user queue is always the client's
 * own ({@code /user/queue/<name>}): reaching another user's is refused before any policy is asked.
 * Implementations are thread safe.
 */
public interface AccessPolicy {

    /** Whether the client may publish to {@code topic} from its session. */
    boolean mayPublish(ClientIdentity client, String topic);

    /** Whether the client may subscribe to {@code topic}. */
    boolean maySubscribe(ClientIdentity client, String topic);

    /** Whether the client may hand a message to the application handler {@code handler} (e.g. {@code echo}). */
    default boolean maySend(ClientIdentity client, String handler) {
        return true;
    }

    /** Whether the client may subscribe to its own user queue {@code queue} (STOMP {@code /user/queue/<queue>}). */
    default boolean maySubscribeToUserQueue(ClientIdentity client, String queue) {
        return true;
    }

    /** Whether the client may put a message on its own user queue {@code queue} (STOMP SEND to {@code /user/<self>/queue/<queue>}). */
    default boolean mayPublishToUserQueue(ClientIdentity client, String queue) {
        return true;
    }
}
