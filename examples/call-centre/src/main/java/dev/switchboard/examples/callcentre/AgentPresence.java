package dev.switchboard.examples.callcentre;

import dev.switchboard.events.UserOffline;
import dev.switchboard.events.UserOnline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

/**
 * Agents come and go with their tabs: Switchboard fires {@link UserOnline} when a user's first
 * session opens and {@link UserOffline} when the last one closes (docs/events.md), one event after
 * the other on its own thread. The call centre turns them into agent statuses, which reach the
 * supervisor board through the board topic.
 */
@ApplicationScoped
public class AgentPresence {

    private final CallCentre centre;

    @Inject
    public AgentPresence(CallCentre centre) {
        this.centre = centre;
    }

    /** For the CDI container's client proxy only. */
    protected AgentPresence() {
        this.centre = null;
    }

    void online(@ObservesAsync UserOnline event) {
        centre.online(event.user());
    }

    void offline(@ObservesAsync UserOffline event) {
        centre.offline(event.user());
    }
}
