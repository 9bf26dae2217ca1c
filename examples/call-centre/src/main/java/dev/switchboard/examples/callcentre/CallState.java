package dev.switchboard.examples.callcentre;

/** Where a call is; a call that ended is forgotten. */
public enum CallState {
    /** In the queue, offered to nobody. */
    WAITING,
    /** Offered to one agent, who has not answered yet. */
    RINGING,
    /** Accepted: the agent is talking to the caller. */
    CONNECTED
}
