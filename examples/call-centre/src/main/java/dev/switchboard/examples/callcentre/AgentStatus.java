package dev.switchboard.examples.callcentre;

/** What an agent is doing, as the supervisor board shows it. */
public enum AgentStatus {
    /** No tab open (the last one closed: Switchboard's {@code UserOffline}). */
    OFFLINE,
    /** A tab open and no call: the next waiting call may be offered. */
    AVAILABLE,
    /** A call has been offered and awaits Accept or Reject. */
    RINGING,
    /** Talking. */
    ON_CALL
}
