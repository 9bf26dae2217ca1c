package dev.switchboard.broker;

import java.time.Clock;
import java.time.Duration;

/** Brokers for tests in other packages: one node, everything in memory. */
public final class TestBrokers {

    private TestBrokers() {
    }

    /** A single node over {@code channels}, with default history and redelivery settings. */
    public static Broker singleNode(ChannelRegistry channels, Clock clock) {
        RedeliveryPolicy acks = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2), 1000,
                Duration.ofDays(1), 5);
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        return new Broker(new InMemorySubscriptionRegistry(), new InMemorySessionRegistry(), channels,
                new MessageIds("test"), new BrokerStats(), clock, "node-1", "epoch-1",
                new HistoryPolicy(100, Duration.ofMinutes(10)), new InMemoryInbox(acks, budget), acks, budget);
    }
}
