package dev.switchboard.examples.callcentre;

import dev.switchboard.broker.PushReceipt;
import dev.switchboard.push.Pusher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The call centre's state: agents, the queue of calls, who is offered what. Every change is
 * pushed through Switchboard's {@link Pusher}: an offered call to the agent's tabs with
 * {@code ack: true}, and the new {@link Board} to {@link #BOARD_TOPIC}.
 *
 * <p>Routing: a waiting call is offered to the free agent who has been free longest, never to an
 * agent who rejected it. A call ringing for an agent whose last tab closes goes back to the queue
 * and is offered to the next free agent at once (the push's inbox would otherwise hold it for
 * that agent until they come back). Calls wait in order of arrival.
 *
 * <p>Thread safety: every method holds this object's lock; the pushes inside it only enqueue
 * (Switchboard's broker never waits on a socket), so boards reach the topic in version order.
 * Bounded: at most {@link #MAX_AGENTS} agents (the one offline longest is forgotten to make room)
 * and {@link #MAX_CALLS} calls.
 */
@ApplicationScoped
public class CallCentre {

    /** The topic both pages subscribe to. */
    public static final String BOARD_TOPIC = "call-centre.board";
    /**
     * The user destination of what is pushed to an agent ({@link AgentMessage}): native sessions
     * see it as the message's {@code destination}, STOMP sessions on {@code /user/queue/calls}.
     */
    public static final String AGENT_DESTINATION = "calls";
    /** Users with this prefix are supervisors, not agents ({@link LoginResource}). */
    public static final String SUPERVISOR_PREFIX = "supervisor:";
    static final int MAX_AGENTS = 200;
    static final int MAX_CALLS = 500;

    private static final System.Logger LOG = System.getLogger(CallCentre.class.getName());

    private final Pusher pusher;
    private final Clock clock;
    /** By name, in order of first appearance. Guarded by this. */
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    /** By id, in order of arrival. Guarded by this. */
    private final Map<String, Call> calls = new LinkedHashMap<>();
    /** Guarded by this. */
    private long version;

    @Inject
    public CallCentre(Pusher pusher) {
        this(pusher, Clock.systemUTC());
    }

    CallCentre(Pusher pusher, Clock clock) {
        this.pusher = pusher;
        this.clock = clock;
    }

    /** For the CDI container's client proxy only. */
    protected CallCentre() {
        this.pusher = null;
        this.clock = null;
    }

    /** Switchboard saw {@code user}'s first tab open. */
    public synchronized void online(String user) {
        if (user.startsWith(SUPERVISOR_PREFIX)) {
            return;
        }
        Agent agent = agents.get(user);
        if (agent == null) {
            makeRoomForAgent();
            agent = new Agent(user);
            agents.put(user, agent);
        }
        agent.becomeAvailable(clock.instant());
        changed();
        dispatch();
    }

    /** Switchboard saw {@code user}'s last tab close. */
    public synchronized void offline(String user) {
        Agent agent = agents.get(user);
        if (agent == null) {
            return;
        }
        Call call = agent.call == null ? null : calls.get(agent.call);
        agent.status = AgentStatus.OFFLINE;
        agent.call = null;
        agent.since = clock.instant();
        if (call != null && call.state == CallState.RINGING) {
            call.backToQueue();
        } else if (call != null) {
            // A real switch would keep the caller talking; here the call ends with the agent's tab.
            calls.remove(call.id);
        }
        changed();
        dispatch();
    }

    /**
     * A new call from {@code caller}: offered to {@code agent} if given (who must be free), else
     * to the first free agent, else it waits in the queue.
     *
     * @throws Refused if the chosen agent is not free, or the queue is full
     */
    public synchronized Board.Call incoming(String caller, Optional<String> chosenAgent) throws Refused {
        Agent chosen = null;
        if (chosenAgent.isPresent()) {
            chosen = agents.get(chosenAgent.get());
            if (chosen == null || chosen.status != AgentStatus.AVAILABLE) {
                throw new Refused("agent " + chosenAgent.get() + " is not free ("
                        + (chosen == null ? "unknown" : chosen.status.name().toLowerCase()) + ")");
            }
        }
        if (calls.size() >= MAX_CALLS) {
            throw new Refused("the queue is full (" + MAX_CALLS + " calls)");
        }
        Call call = new Call(UUID.randomUUID().toString().substring(0, 8), caller, clock.instant());
        calls.put(call.id, call);
        changed();
        if (chosen != null) {
            offer(call, chosen);
        } else {
            dispatch();
        }
        return call.view();
    }

    /** {@code user} pressed Accept on {@code callId}. */
    public synchronized void accept(String user, String callId) {
        Call call = ringingFor(user, callId);
        if (call == null) {
            return;
        }
        call.state = CallState.CONNECTED;
        call.since = clock.instant();
        agents.get(user).status = AgentStatus.ON_CALL;
        changed();
    }

    /** {@code user} pressed Reject on {@code callId}: it goes to someone else, or waits. */
    public synchronized void reject(String user, String callId) {
        Call call = ringingFor(user, callId);
        if (call == null) {
            return;
        }
        call.rejectedBy.add(user);
        call.backToQueue();
        agents.get(user).becomeAvailable(clock.instant());
        changed();
        dispatch();
    }

    /** {@code user} pressed Hang up on {@code callId}: the call ends and the agent is free. */
    public synchronized void hangUp(String user, String callId) {
        Call call = calls.get(callId);
        if (call == null || call.state != CallState.CONNECTED || !user.equals(call.agent)) {
            return;
        }
        calls.remove(callId);
        agents.get(user).becomeAvailable(clock.instant());
        changed();
        dispatch();
    }

    public synchronized Board board() {
        List<Board.Agent> agentViews = new ArrayList<>();
        for (Agent agent : agents.values()) {
            agentViews.add(new Board.Agent(agent.name, agent.status, agent.call));
        }
        List<Board.Call> callViews = new ArrayList<>();
        for (Call call : calls.values()) {
            callViews.add(call.view());
        }
        return new Board(version, List.copyOf(agentViews), List.copyOf(callViews));
    }

    /**
     * The call if it is ringing for {@code user}; otherwise null, and the user's tabs are told it
     * is withdrawn (a late offer, or taken elsewhere meanwhile).
     */
    private Call ringingFor(String user, String callId) {
        Call call = calls.get(callId);
        if (call != null && call.state == CallState.RINGING && user.equals(call.agent)) {
            return call;
        }
        Board.Call gone = call == null ? new Board.Call(callId, null, null, null, null) : call.view();
        pusher.toUser(user, AGENT_DESTINATION, AgentMessage.withdrawn(version, gone), false);
        return null;
    }

    /** Offers waiting calls, oldest first, to free agents, longest free first. */
    private void dispatch() {
        for (Call call : calls.values()) {
            if (call.state != CallState.WAITING) {
                continue;
            }
            agents.values().stream()
                    .filter(agent -> agent.status == AgentStatus.AVAILABLE && !call.rejectedBy.contains(agent.name))
                    .min(Comparator.comparing(agent -> agent.since))
                    .ifPresent(agent -> offer(call, agent));
        }
    }

    private void offer(Call call, Agent agent) {
        call.state = CallState.RINGING;
        call.agent = agent.name;
        agent.status = AgentStatus.RINGING;
        agent.call = call.id;
        version++;
        // ack: the offer waits in the agent's inbox until a tab acknowledges it (the page's client
        // acks once it has shown it) and is delivered again until then (docs/protocol.md).
        PushReceipt receipt = pusher.toUser(agent.name, AGENT_DESTINATION, AgentMessage.offer(version, call.view()), true);
        pusher.toTopic(BOARD_TOPIC, board());
        if (receipt.sessions() == 0) {
            // The agent's last tab closed a moment ago: its UserOffline is on its way and puts
            // the call back in the queue (offline()).
            LOG.log(Level.DEBUG, "call {0} offered to {1}, who has no open tab", call.id, agent.name);
        }
    }

    /** A new version of the board, published at once. */
    private void changed() {
        version++;
        pusher.toTopic(BOARD_TOPIC, board());
    }

    private void makeRoomForAgent() {
        if (agents.size() < MAX_AGENTS) {
            return;
        }
        agents.values().stream()
                .filter(agent -> agent.status == AgentStatus.OFFLINE)
                .min(Comparator.comparing(agent -> agent.since))
                .ifPresent(agent -> agents.remove(agent.name));
    }

    /** Why a call could not be placed; the message says it to the caller of the API. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private static final class Agent {
        final String name;
        AgentStatus status = AgentStatus.OFFLINE;
        String call;
        /** When the current status began: the longest-free agent gets the next call. */
        Instant since = Instant.EPOCH;

        Agent(String name) {
            this.name = name;
        }

        void becomeAvailable(Instant now) {
            status = AgentStatus.AVAILABLE;
            call = null;
            since = now;
        }
    }

    private static final class Call {
        final String id;
        final String caller;
        final Set<String> rejectedBy = new HashSet<>();
        CallState state = CallState.WAITING;
        String agent;
        Instant since;

        Call(String id, String caller, Instant at) {
            this.id = id;
            this.caller = caller;
            this.since = at;
        }

        void backToQueue() {
            state = CallState.WAITING;
            agent = null;
        }

        Board.Call view() {
            return new Board.Call(id, caller, state, agent, since);
        }
    }
}
