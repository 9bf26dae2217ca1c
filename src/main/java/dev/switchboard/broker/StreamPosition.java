package dev.switchboard.broker;

/**
 * A position in a topic's stream: the offset of the last message seen and the epoch it belongs
 * to. Offsets are only comparable within one epoch.
 */
public record StreamPosition(long offset, String epoch) {
}
