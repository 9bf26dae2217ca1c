package dev.switchboard.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link SubscriptionRegistry} keeping a copy-on-write list per topic: subscribing costs a copy,
 * publishing costs nothing but a read, which is the right trade for a push service where
 * messages outnumber subscription changes.
 */
public final class InMemorySubscriptionRegistry implements SubscriptionRegistry {

    private final ConcurrentHashMap<String, List<Subscriber>> byTopic = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    @Override
    public boolean subscribe(String topic, Subscriber session) {
        boolean[] added = new boolean[1];
        byTopic.compute(topic, (t, current) -> {
            if (current != null && current.contains(session)) {
                return current;
            }
            List<Subscriber> next = new ArrayList<>(current == null ? 1 : current.size() + 1);
            if (current != null) {
                next.addAll(current);
            }
            next.add(session);
            added[0] = true;
            return List.copyOf(next);
        });
        if (added[0]) {
            size.incrementAndGet();
        }
        return added[0];
    }

    @Override
    public boolean unsubscribe(String topic, Subscriber session) {
        boolean[] removed = new boolean[1];
        byTopic.computeIfPresent(topic, (t, current) -> {
            if (!current.contains(session)) {
                return current;
            }
            removed[0] = true;
            List<Subscriber> next = new ArrayList<>(current);
            next.remove(session);
            return next.isEmpty() ? null : List.copyOf(next);
        });
        if (removed[0]) {
            size.decrementAndGet();
        }
        return removed[0];
    }

    @Override
    public List<Subscriber> subscribers(String topic) {
        return byTopic.getOrDefault(topic, List.of());
    }

    /** {@inheritDoc} A topic's entry goes when its last subscriber does, so every key counts. */
    @Override
    public Set<String> topics() {
        return Set.copyOf(byTopic.keySet());
    }

    @Override
    public int size() {
        return size.get();
    }
}
