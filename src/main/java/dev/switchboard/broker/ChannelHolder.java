package dev.switchboard.broker;

import java.time.Instant;

/**
 * Who holds a channel: the user, the node and the session (null while the reservation is not
 * bound to an open session yet), and since when.
 */
public record ChannelHolder(String channelId, String user, String nodeId, String sessionId, Instant since) {
}
