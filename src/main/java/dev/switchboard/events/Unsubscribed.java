package dev.switchboard.events;

import java.time.Instant;

/** A session left a topic: it unsubscribed or closed. */
public record Unsubscribed(String topic, String sessionId, String user, String node, Instant at)
        implements SwitchboardEvent {
}
