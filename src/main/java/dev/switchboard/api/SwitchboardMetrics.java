package dev.switchboard.api;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerStats;
import dev.switchboard.broker.LimitRefusals;
import dev.switchboard.broker.MemoryBudget;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;

/** Binds the broker's gauges and counters (and the JVM's) to a meter registry. */
public final class SwitchboardMetrics {

    private SwitchboardMetrics() {
    }

    public static void bind(MeterRegistry registry, Broker broker) {
        BrokerStats stats = broker.stats();
        Gauge.builder("switchboard.sessions", broker, Broker::sessionCount)
                .description("Open sessions on this node").register(registry);
        Gauge.builder("switchboard.subscriptions", broker, Broker::subscriptionCount)
                .description("Topic subscriptions on this node").register(registry);
        FunctionCounter.builder("switchboard.messages.in", stats, BrokerStats::messagesIn)
                .description("Messages accepted (published, pushed, broadcast)").register(registry);
        FunctionCounter.builder("switchboard.messages.out", stats, BrokerStats::messagesOut)
                .description("Deliveries handed to session queues").register(registry);
        FunctionCounter.builder("switchboard.messages.dropped", stats, BrokerStats::dropped)
                .description("Queued deliveries discarded because their session closed").register(registry);
        FunctionCounter.builder("switchboard.messages.redelivered", stats, BrokerStats::redelivered)
                .description("Redeliveries of unacknowledged messages").register(registry);
        FunctionCounter.builder("switchboard.slow.consumers.closed", stats, BrokerStats::slowConsumersClosed)
                .description("Sessions closed with 4008").register(registry);
        FunctionCounter.builder("switchboard.messages.dead.lettered", stats, BrokerStats::deadLettered)
                .description("Acknowledged-delivery messages given up").register(registry);
        Gauge.builder("switchboard.topics", broker, Broker::topicCount)
                .description("Topics this node keeps a stream for (subscribed, with history, or recently used)")
                .register(registry);
        MemoryBudget memory = broker.memory();
        Gauge.builder("switchboard.history.bytes", memory, MemoryBudget::historyBytes)
                .description("Estimated heap held by topic history, all topics").register(registry);
        Gauge.builder("switchboard.history.messages", memory, MemoryBudget::historyEntries)
                .description("Messages held in topic history, all topics").register(registry);
        Gauge.builder("switchboard.inbox.bytes", memory, MemoryBudget::inboxBytes)
                .description("Estimated heap held by inboxes (pending messages and dead letters)").register(registry);
        Gauge.builder("switchboard.inbox.entries", memory, MemoryBudget::inboxEntries)
                .description("Messages held by inboxes (pending messages and dead letters)").register(registry);
        Gauge.builder("switchboard.memory.budget.bytes", memory, MemoryBudget::limit)
                .description("What history and inboxes may hold together (SWITCHBOARD_MEMORY_BUDGET_PERCENT)")
                .register(registry);
        FunctionCounter.builder("switchboard.history.evicted", stats, BrokerStats::historyEvicted)
                .description("Topic history messages dropped to keep within the memory budget").register(registry);
        LimitRefusals refusals = stats.limitRefusals();
        for (LimitRefusals.Limit limit : LimitRefusals.Limit.values()) {
            FunctionCounter.builder("switchboard.limit.refusals", refusals, r -> r.count(limit))
                    .tag("limit", limit.metricName())
                    .description("What the abuse limits refused (docs/security.md \"Limits\")").register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }
}
