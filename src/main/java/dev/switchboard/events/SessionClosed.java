package dev.switchboard.events;

import java.time.Instant;

/**
 * An open session closed, for any reason.
 *
 * @param closeCode the close code the server closed it with (docs/protocol.md, Close codes), or
 *        1000 when the client or the network ended it
 * @param reason the close code's text, such as {@code slow consumer}
 * @param openedAt when it had opened
 */
public record SessionClosed(String sessionId, String user, String channelId, String protocol, String node,
        Instant openedAt, Instant at, int closeCode, String reason) implements SwitchboardEvent {
}
