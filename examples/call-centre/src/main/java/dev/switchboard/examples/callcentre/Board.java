package dev.switchboard.examples.callcentre;

import java.time.Instant;
import java.util.List;

/**
 * The whole call centre at one moment, as both pages show it: published to
 * {@link CallCentre#BOARD_TOPIC} at every change and answered by {@code GET centre/board}.
 * {@code version} grows by one at every change, so a page keeps the newest board it has seen,
 * whichever way it came.
 */
public record Board(long version, List<Agent> agents, List<Call> calls) {

    /** An agent; {@code callId} is the call it is offered or talking on, else null. */
    public record Agent(String name, AgentStatus status, String callId) {
    }

    /** A call not yet ended; {@code agent} is who it is offered to or talking with, else null. */
    public record Call(String id, String caller, CallState state, String agent, Instant since) {
    }
}
