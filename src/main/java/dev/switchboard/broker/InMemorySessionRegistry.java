package dev.switchboard.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link SessionRegistry} for one node; per-user lists are copy-on-write snapshots. */
public final class InMemorySessionRegistry implements SessionRegistry {

    private final ConcurrentHashMap<String, Subscriber> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, List<Subscriber>> byUser = new ConcurrentHashMap<>();

    @Override
    public void add(Subscriber session) {
        byId.put(session.sessionId(), session);
        byUser.compute(session.user(), (u, current) -> {
            List<Subscriber> next = new ArrayList<>(current == null ? List.of() : current);
            next.add(session);
            return List.copyOf(next);
        });
    }

    @Override
    public boolean remove(Subscriber session) {
        if (!byId.remove(session.sessionId(), session)) {
            return false;
        }
        byUser.computeIfPresent(session.user(), (u, current) -> {
            List<Subscriber> next = new ArrayList<>(current);
            next.remove(session);
            return next.isEmpty() ? null : List.copyOf(next);
        });
        return true;
    }

    @Override
    public Optional<Subscriber> find(String sessionId) {
        return Optional.ofNullable(byId.get(sessionId));
    }

    @Override
    public List<Subscriber> ofUser(String user) {
        return byUser.getOrDefault(user, List.of());
    }

    @Override
    public Collection<Subscriber> all() {
        return List.copyOf(byId.values());
    }

    @Override
    public int size() {
        return byId.size();
    }
}
