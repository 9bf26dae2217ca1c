package dev.switchboard.broker;

/**
 * The answer to a subscribe: the topic's current position (its last offset, 0 if never published
 * to), and whether the requested {@code since} position was continued without a gap
 * ({@code recovered}: the missed messages were replayed). Without a {@code since},
 * {@code recovered} is false.
 */
public record SubscribeOutcome(String topic, long offset, String epoch, boolean recovered) {
}
