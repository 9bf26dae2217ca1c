package dev.switchboard.events;

import java.time.Instant;

/**
 * A session opened: authenticated and registered, about to be greeted.
 *
 * @param channelId the channel it holds, or null for a session without one
 * @param protocol {@code native} or {@code stomp}
 */
public record SessionOpened(String sessionId, String user, String channelId, String protocol, String node,
        Instant at) implements SwitchboardEvent {
}
