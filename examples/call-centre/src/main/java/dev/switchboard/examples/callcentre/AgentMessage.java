package dev.switchboard.examples.callcentre;

/**
 * What the call centre pushes to one agent's tabs (Switchboard user messages).
 *
 * @param type    {@code offer}: a call to pop up, pushed with {@code ack: true}; {@code withdrawn}:
 *                the call the agent answered is no longer theirs (taken elsewhere, or hung up)
 * @param version the {@link Board#version()} this was decided at: a page that already shows a
 *                newer board in which the call is not ringing for this agent drops a late offer
 * @param call    the call
 */
public record AgentMessage(String type, long version, Board.Call call) {

    static AgentMessage offer(long version, Board.Call call) {
        return new AgentMessage("offer", version, call);
    }

    static AgentMessage withdrawn(long version, Board.Call call) {
        return new AgentMessage("withdrawn", version, call);
    }
}
