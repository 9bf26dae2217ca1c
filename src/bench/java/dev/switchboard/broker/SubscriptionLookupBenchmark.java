package dev.switchboard.broker;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The fan-out's only lookup: a topic's subscribers, among 1,000 other topics of 10 subscribers
 * each, walked as the broker walks them (one call per recipient), and the price of the
 * copy-on-write list that makes that lookup free: a subscribe plus an unsubscribe on the same
 * topic (churn), which copies the list twice.
 *
 * <p>Run: {@code mvn -B -Pbench test-compile exec:exec -Djmh.args="SubscriptionLookupBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SubscriptionLookupBenchmark {

    private static final String HOT_TOPIC = "prices.eu";

    @Param({"1", "1000", "10000"})
    public int subscribers;

    private final InMemorySubscriptionRegistry registry = new InMemorySubscriptionRegistry();
    private final Subscriber churner = new IdleSubscriber("churner");

    @Setup
    public void setUp() {
        for (int topic = 0; topic < 1_000; topic++) {
            for (int i = 0; i < 10; i++) {
                registry.subscribe("topic-" + topic, new IdleSubscriber("t" + topic + "-" + i));
            }
        }
        for (int i = 0; i < subscribers; i++) {
            registry.subscribe(HOT_TOPIC, new IdleSubscriber("s" + i));
        }
        if (registry.subscribers(HOT_TOPIC).size() != subscribers) {
            throw new IllegalStateException("the hot topic has " + registry.subscribers(HOT_TOPIC).size() + " subscribers");
        }
    }

    /** One publication's lookup and walk over every recipient (ops/s = publications/s). */
    @Benchmark
    public void lookUpAndWalk(Blackhole blackhole) {
        List<Subscriber> recipients = registry.subscribers(HOT_TOPIC);
        for (int i = 0, n = recipients.size(); i < n; i++) {
            blackhole.consume(recipients.get(i).sessionId());
        }
    }

    /** One session joining and leaving the topic. */
    @Benchmark
    public boolean subscribeAndUnsubscribe() {
        registry.subscribe(HOT_TOPIC, churner);
        return registry.unsubscribe(HOT_TOPIC, churner);
    }

    /** A subscriber that takes nothing: the lookup is measured, not delivery. */
    private record IdleSubscriber(String sessionId) implements Subscriber {
        @Override
        public String user() {
            return sessionId;
        }

        @Override
        public String channelId() {
            return null;
        }

        @Override
        public String protocol() {
            return "bench";
        }

        @Override
        public Instant openedAt() {
            return Instant.EPOCH;
        }

        @Override
        public void deliver(Delivery delivery) {
        }

        @Override
        public void disconnect(CloseCode reason) {
        }
    }
}
