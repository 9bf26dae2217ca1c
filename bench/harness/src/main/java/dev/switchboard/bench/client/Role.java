package dev.switchboard.bench.client;

/** What a connection does once open. */
public enum Role {
    /** Connects, authenticates and then only stays open. */
    IDLE,
    /** Subscribes to the benchmark topic and checks every message it receives. */
    SUBSCRIBER,
    /**
     * A subscriber with a small socket receive buffer that reads normally until
     * {@link LoadClient#stallSlowSubscribers()}; then it stops reading, a slow consumer.
     */
    SLOW_SUBSCRIBER,
    /** Subscribes for a short life during churn, then closes and is replaced; not in the audience. */
    CHURNER,
    /** Publishes in band (native {@code publish} or STOMP SEND); subscribes to nothing. */
    PUBLISHER;

    /** Whether it subscribes to the topic once authenticated. */
    boolean subscribes() {
        return this == SUBSCRIBER || this == SLOW_SUBSCRIBER || this == CHURNER;
    }

    /** Whether it is one of the N subscribers every publication must reach. */
    boolean inAudience() {
        return this == SUBSCRIBER || this == SLOW_SUBSCRIBER;
    }
}
