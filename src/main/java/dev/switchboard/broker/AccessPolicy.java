package dev.switchboard.broker;

/**
 * What a connected client may do with destinations. Implemented by the security layer; asked by
 * every protocol before it subscribes or publishes on a client's behalf.
 */
public interface AccessPolicy {

    /** Whether the client may publish to {@code topic} from its session. */
    boolean mayPublish(ClientIdentity client, String topic);

    /** Whether the client may subscribe to {@code topic}. */
    boolean maySubscribe(ClientIdentity client, String topic);
}
