package dev.switchboard.broker;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The application handlers by destination; immutable once built. */
public final class ApplicationHandlers {
    private final Map<String, ApplicationHandler> byDestination;

    public ApplicationHandlers(Iterable<ApplicationHandler> handlers) {
        Map<String, ApplicationHandler> map = new HashMap<>();
        for (ApplicationHandler handler : handlers) {
            ApplicationHandler previous = map.putIfAbsent(handler.destination(), handler);
            if (previous != null) {
                throw new IllegalStateException("Two application handlers for destination '"
                        + handler.destination() + "': " + previous.getClass().getName() + " and "
                        + handler.getClass().getName());
            }
        }
        this.byDestination = Map.copyOf(map);
    }

    public Optional<ApplicationHandler> forDestination(String destination) {
        return Optional.ofNullable(byDestination.get(destination));
    }
}
