package dev.switchboard.broker;

import java.util.function.Consumer;

/**
 * Counts the members of named groups (a user's sessions, a topic's subscriptions) and says when a
 * group goes from empty to occupied and back, atomically, so each crossing is reported once.
 */
public interface Occupancy {

    /**
     * Counts nothing and reports no crossing: for {@link SessionEvents#NONE}, which publishes
     * nothing. Stateless, so one instance serves every broker built without events.
     */
    Occupancy NONE = new Occupancy() {
        @Override
        public void enter(String group, Runnable onFirst) {
        }

        @Override
        public void leave(String group, Runnable onLast) {
        }
    };

    /**
     * One member more in {@code group}; runs {@code onFirst} if it was empty. {@code onFirst}
     * runs before any later crossing of the same group is reported, so what it publishes keeps
     * the crossings' order; it must only queue.
     */
    void enter(String group, Runnable onFirst);

    /** One member fewer; runs {@code onLast} if none is left. Same ordering as {@link #enter}. */
    void leave(String group, Runnable onLast);

    /**
     * Forgets the members counted by nodes that are gone (killed without leaving: counts shared
     * across nodes only) and hands each group this empties to {@code onEmptied}, once across the
     * deployment, in order with that group's other crossings. Counts of this process alone die
     * with it: nothing to do.
     */
    default void reapDeparted(Consumer<String> onEmptied) {
    }
}
