package dev.switchboard.broker;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Occupancy} of one node, in memory: one entry per non-empty group, so bounded by the open
 * sessions and subscriptions. The callbacks run inside the map's per-key update, which is what
 * orders an online after the offline before it. Thread safe.
 */
public final class LocalOccupancy implements Occupancy {

    private final ConcurrentHashMap<String, Integer> members = new ConcurrentHashMap<>();

    @Override
    public void enter(String group, Runnable onFirst) {
        members.compute(group, (key, count) -> {
            if (count == null) {
                onFirst.run();
                return 1;
            }
            return count + 1;
        });
    }

    @Override
    public void leave(String group, Runnable onLast) {
        members.computeIfPresent(group, (key, count) -> {
            if (count > 1) {
                return count - 1;
            }
            onLast.run();
            return null;
        });
    }
}
