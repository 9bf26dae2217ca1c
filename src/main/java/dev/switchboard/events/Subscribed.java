package dev.switchboard.events;

import java.time.Instant;

/** A session subscribed to a topic (once per session and topic). */
public record Subscribed(String topic, String sessionId, String user, String node, Instant at)
        implements SwitchboardEvent {
}
