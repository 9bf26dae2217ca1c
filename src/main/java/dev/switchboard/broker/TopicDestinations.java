package dev.switchboard.broker;

/**
 * The mapping between STOMP-style destinations and broker topics (docs/stomp.md, Destinations):
 * {@code /topic/<name>} is topic {@code <name>} (the same topic native clients use), and
 * {@code /queue/<name>} is topic {@code queue:<name>}, a separate namespace with the same
 * publish/subscribe semantics (as in Spring's simple broker).
 */
public final class TopicDestinations {

    public static final String TOPIC_PREFIX = "/topic/";
    public static final String QUEUE_PREFIX = "/queue/";
    private static final String QUEUE_TOPIC_PREFIX = "queue:";

    private TopicDestinations() {
    }

    /** The broker topic of a {@code /topic/...} or {@code /queue/...} destination, or null if it is neither or the name is invalid. */
    public static String topicOf(String destination) {
        String topic = null;
        if (destination.startsWith(TOPIC_PREFIX)) {
            topic = destination.substring(TOPIC_PREFIX.length());
        } else if (destination.startsWith(QUEUE_PREFIX)) {
            topic = QUEUE_TOPIC_PREFIX + destination.substring(QUEUE_PREFIX.length());
        }
        return TopicNames.isValid(topic) ? topic : null;
    }

    /** The destination a STOMP subscriber sees for a broker topic. */
    public static String destinationOf(String topic) {
        return topic.startsWith(QUEUE_TOPIC_PREFIX)
                ? QUEUE_PREFIX + topic.substring(QUEUE_TOPIC_PREFIX.length())
                : TOPIC_PREFIX + topic;
    }
}
