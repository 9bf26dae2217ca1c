package dev.switchboard.broker;

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
}
