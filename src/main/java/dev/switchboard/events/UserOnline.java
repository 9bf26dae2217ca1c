package dev.switchboard.events;

import java.time.Instant;

/** A user who had no open session now has one (first tab, first device). */
public record UserOnline(String user, String node, Instant at) implements SwitchboardEvent {
}
