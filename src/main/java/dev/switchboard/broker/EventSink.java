package dev.switchboard.broker;

import dev.switchboard.events.SwitchboardEvent;

/**
 * Where the broker's {@link SessionEvents} go: CDI observers and webhooks (wired in the config
 * package). {@link #publish} must not block or throw: it runs on the broker's threads, sometimes
 * under a per-user or per-topic lock, so an implementation only queues.
 */
@FunctionalInterface
public interface EventSink {

    /** Publishes nothing. */
    EventSink NONE = event -> { };

    void publish(SwitchboardEvent event);
}
