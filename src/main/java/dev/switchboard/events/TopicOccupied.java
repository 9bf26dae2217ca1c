package dev.switchboard.events;

import java.time.Instant;

/** A topic that had no subscriber now has one. */
public record TopicOccupied(String topic, String node, Instant at) implements SwitchboardEvent {
}
