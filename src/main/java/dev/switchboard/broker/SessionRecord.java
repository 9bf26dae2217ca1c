package dev.switchboard.broker;

import java.time.Instant;

/**
 * An open session as the whole deployment sees it, on any node: ids only, no live object. {@code
 * channelId} is null for a session without a channel.
 */
public record SessionRecord(String sessionId, String user, String channelId, String protocol, String nodeId,
        Instant since) {

    /** The record of a session of this node. */
    public static SessionRecord of(Subscriber session, String nodeId) {
        return new SessionRecord(session.sessionId(), session.user(), session.channelId(), session.protocol(), nodeId,
                session.openedAt());
    }
}
