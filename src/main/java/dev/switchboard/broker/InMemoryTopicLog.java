package dev.switchboard.broker;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * {@link TopicLog} of one node: each topic's history in this process's heap (a {@link TopicStream}),
 * counted against the {@link MemoryBudget} it shares with the inboxes.
 *
 * <p>Each topic stream has its own epoch: this log's epoch (fresh per start) plus a per-stream
 * counter, so a topic forgotten while idle and used again starts over in a new epoch, and a
 * {@code since} from before answers {@code recovered: false}.
 *
 * <p>Thread safety: per topic, every method locks the topic's stream; {@link #shed()} locks one
 * topic at a time. Nothing here calls out while holding a lock.
 */
public final class InMemoryTopicLog implements TopicLog {

    private final String epoch;
    private final HistoryPolicy history;
    private final MemoryBudget budget;
    private final Clock clock;
    private final ConcurrentHashMap<String, TopicStream> streams = new ConcurrentHashMap<>();
    /** Numbers the streams made, for their epochs: a topic made again never reuses an epoch. */
    private final AtomicLong streamsMade = new AtomicLong();

    /** {@code epoch} must be fresh per start: this log keeps nothing across restarts. */
    public InMemoryTopicLog(String epoch, HistoryPolicy history, MemoryBudget budget, Clock clock) {
        this.epoch = epoch;
        this.history = history;
        this.budget = budget;
        this.clock = clock;
    }

    @Override
    public StreamPosition append(String topic, Delivery message) {
        while (true) {
            TopicStream stream = stream(topic);
            synchronized (stream) {
                if (stream.retired()) {
                    continue; // forgotten since we looked it up: take the topic's new stream
                }
                long offset = stream.nextOffset();
                stream.remember(message.at(offset, stream.epoch()), history, message.timestamp());
                return new StreamPosition(offset, stream.epoch());
            }
        }
    }

    @Override
    public StreamPosition position(String topic) {
        while (true) {
            TopicStream stream = stream(topic);
            synchronized (stream) {
                if (stream.retired()) {
                    continue;
                }
                stream.touch(clock.instant());
                return new StreamPosition(stream.lastOffset(), stream.epoch());
            }
        }
    }

    @Override
    public List<Delivery> read(String topic, StreamPosition from, long through) {
        TopicStream stream = streams.get(topic);
        if (stream == null) {
            return null;
        }
        synchronized (stream) {
            if (stream.retired() || !stream.epoch().equals(from.epoch())) {
                return null;
            }
            return stream.read(from.offset(), through, history, clock.instant());
        }
    }

    /**
     * Forgets idle topics (not in use, no history left after the TTL, unused for the idle time);
     * cost is one uncontended lock per topic.
     */
    @Override
    public void sweep(Instant now, Predicate<String> inUse) {
        for (Map.Entry<String, TopicStream> entry : streams.entrySet()) {
            TopicStream stream = entry.getValue();
            synchronized (stream) {
                stream.expire(history, now); // also for topics that nobody publishes to any more
                // In use here (the broker's own idle rule keeps it so): its stream must keep its
                // epoch. Asked under the stream's lock, which the broker's position() needs too: a
                // topic the broker makes again after asking either positioned itself on this stream
                // before (and is in use now) or will find it retired and position on the next.
                if (!stream.retired() && stream.idle(history, now) && !inUse.test(entry.getKey())) {
                    stream.retire();
                    streams.remove(entry.getKey(), stream);
                }
            }
        }
    }

    /** A topic's stream and the time of its oldest history message, for ordering eviction. */
    private record Oldest(Instant timestamp, TopicStream stream) {
    }

    /**
     * The oldest history first, across all topics (by publication time): one pass to find each
     * topic's oldest message, then always evict from the topic whose oldest message is the oldest
     * of all, up to the next topic's oldest.
     */
    @Override
    public long shed() {
        PriorityQueue<Oldest> heads = new PriorityQueue<>(Comparator.comparing(Oldest::timestamp));
        for (TopicStream stream : streams.values()) {
            Instant oldest;
            synchronized (stream) {
                oldest = stream.oldestTimestamp();
            }
            if (oldest != null) {
                heads.add(new Oldest(oldest, stream));
            }
        }
        long evicted = 0;
        while (budget.aboveLowWater() && !heads.isEmpty()) {
            TopicStream stream = heads.poll().stream();
            Instant bound = heads.isEmpty() ? null : heads.peek().timestamp();
            Instant next;
            synchronized (stream) {
                evicted += stream.evictOldest(bound);
                next = stream.oldestTimestamp();
            }
            if (next != null) {
                heads.add(new Oldest(next, stream));
            }
        }
        return evicted;
    }

    @Override
    public int topicCount() {
        return streams.size();
    }

    /** The topic's live stream; made (in a new epoch) if the topic has none. */
    private TopicStream stream(String topic) {
        TopicStream stream = streams.get(topic); // no lock on the hot path when it exists
        if (stream != null) {
            return stream;
        }
        return streams.computeIfAbsent(topic, t -> new TopicStream(
                epoch + "-" + Long.toString(streamsMade.incrementAndGet(), 36), budget, clock.instant()));
    }
}
