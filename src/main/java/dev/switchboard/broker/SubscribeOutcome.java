package dev.switchboard.broker;

/**
 * The answer to a subscribe: the topic's current position, and whether the requested
 * {@code since} position could be continued without a gap ({@code recovered}). Without a
 * {@code since}, {@code recovered} is false.
 */
public record SubscribeOutcome(String topic, long offset, String epoch, boolean recovered) {
}
