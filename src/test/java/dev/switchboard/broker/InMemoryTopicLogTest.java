package dev.switchboard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The contract on this node's heap, with a clock the test moves. */
class InMemoryTopicLogTest extends TopicLogContract {

    private final MutableClock clock = MutableClock.atFixedInstant();
    private int logs;

    @Override
    protected TopicLog newLog(HistoryPolicy history) {
        // A fresh epoch per log, as each start of a node has.
        return new InMemoryTopicLog("start-" + ++logs, history, new MemoryBudget(Long.MAX_VALUE), clock);
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advance(duration);
    }

    /**
     * The broker forgets a topic, then the log asks whether it is in use; a subscriber making the
     * topic again between the two positions itself on the log's stream. If the log forgot that very
     * stream afterwards, the next message would open a new epoch and the subscriber would miss it
     * (seen as a lost delivery under concurrent subscribe, publish and sweep).
     */
    @Test
    void aTopicPositionedWhileTheSweepAsksWhetherItIsInUseKeepsTheStreamItPositionedOn() throws Exception {
        TopicLog log = newLog(new HistoryPolicy(0, Duration.ofMinutes(10), 1 << 20, Duration.ZERO));
        log.append("news", TestDeliveries.toTopic("m1", "news", 0, null, "1", now()));
        AtomicReference<CompletableFuture<StreamPosition>> positioned = new AtomicReference<>();

        log.sweep(now(), topic -> {
            // Not in use as the broker asks; meanwhile a subscribe makes the topic again and positions it.
            Thread subscriber = new Thread(() -> positioned.get().complete(log.position(topic)));
            positioned.set(new CompletableFuture<>());
            subscriber.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.getState() == Thread.State.BLOCKED
                    || subscriber.getState() == Thread.State.TERMINATED);
            return false;
        });

        StreamPosition subscribedAt = positioned.get().get(10, TimeUnit.SECONDS);
        StreamPosition next = log.append("news", TestDeliveries.toTopic("m2", "news", 0, null, "2", now()));
        assertThat(next.epoch()).as("the epoch the subscriber follows").isEqualTo(subscribedAt.epoch());
        assertThat(next.offset()).isEqualTo(subscribedAt.offset() + 1);
    }
}
