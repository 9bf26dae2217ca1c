package dev.switchboard.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ids of the latest messages that needed an ack and that the listener handled, so that a
 * redelivery (its ack was lost with the connection) is acknowledged again without calling the
 * listener twice. Bounded: the oldest ids are forgotten first.
 *
 * <p>Not thread safe: the client uses it on its event thread only.
 */
final class HandledAcks {

    private final Map<String, Boolean> ids;

    HandledAcks(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    void add(String id) {
        ids.put(id, Boolean.TRUE);
    }

    boolean contains(String id) {
        return ids.containsKey(id);
    }
}
