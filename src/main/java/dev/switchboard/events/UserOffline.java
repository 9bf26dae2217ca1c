package dev.switchboard.events;

import java.time.Instant;

/** The last open session of a user closed. */
public record UserOffline(String user, String node, Instant at) implements SwitchboardEvent {
}
