package dev.switchboard.events;

import java.time.Instant;

/** The last subscriber of a topic left it. */
public record TopicVacated(String topic, String node, Instant at) implements SwitchboardEvent {
}
