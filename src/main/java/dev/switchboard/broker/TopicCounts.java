package dev.switchboard.broker;

import java.util.SortedMap;

/**
 * The topics followed across the deployment, by name, with how many distinct users follow each
 * ({@link Broker#topics}); {@code truncated} when there were more topics than were looked at.
 */
public record TopicCounts(SortedMap<String, Integer> usersByTopic, boolean truncated) {
}
