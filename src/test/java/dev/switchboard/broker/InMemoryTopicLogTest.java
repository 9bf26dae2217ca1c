package dev.switchboard.broker;

import dev.switchboard.MutableClock;
import java.time.Duration;
import java.time.Instant;

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
}
