package dev.switchboard.examples.callcentre;

import dev.switchboard.events.UserOffline;
import dev.switchboard.events.UserOnline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which agents are online, kept from Switchboard's presence events. */
@ApplicationScoped
public class PresenceBoard {

    /** Bounded by the number of agents with an open session: each leaves when it goes offline. */
    private final Set<String> online = ConcurrentHashMap.newKeySet();

    void userOnline(@ObservesAsync UserOnline event) {
        online.add(event.user());
    }

    void userOffline(@ObservesAsync UserOffline event) {
        online.remove(event.user());
    }

    public Set<String> online() {
        return Set.copyOf(online);
    }
}
