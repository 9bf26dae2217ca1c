package dev.switchboard.examples.callcentre;

import dev.switchboard.events.SessionOpened;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A test observer added to the deployment: what an application sees of Switchboard's session events. */
@ApplicationScoped
public class SessionLog {

    /** Grows by one per session the tests open (a handful). */
    private final List<SessionOpened> opened = new CopyOnWriteArrayList<>();

    void sessionOpened(@ObservesAsync SessionOpened event) {
        opened.add(event);
    }

    public List<SessionOpened> opened() {
        return List.copyOf(opened);
    }
}
