package dev.switchboard.broker;

/**
 * The parts of the broker that a cluster shares (docs/architecture.md, Principles: cluster mode): chosen once at start-up,
 * all in memory for a single node ({@link #singleNode}) or all on Redis in cluster mode. The
 * broker never asks which.
 */
public record ClusterParts(ClusterBus bus, TopicLog topics, ChannelRegistry channels, Inbox inbox,
        Presence presence) {

    /** One node on its own: nothing leaves this process. */
    public static ClusterParts singleNode(TopicLog topics, ChannelRegistry channels, Inbox inbox,
            SessionRegistry sessions, SubscriptionRegistry subscriptions, String nodeId) {
        return new ClusterParts(new LocalBus(), topics, channels, inbox,
                new LocalPresence(sessions, subscriptions, nodeId));
    }
}
