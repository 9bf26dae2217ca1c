package dev.switchboard.bench.scenario;

import dev.switchboard.bench.client.Protocol;
import dev.switchboard.bench.peer.PeerKind;
import java.util.List;

/** A peer spoken to in one protocol: one column of the report. */
public record Target(String name, PeerKind peer, Protocol protocol) {

    public static final Target RAW = new Target("raw", PeerKind.RAW, Protocol.NATIVE);
    public static final Target TYRUS = new Target("tyrus", PeerKind.TYRUS, Protocol.NATIVE);
    public static final Target SWITCHBOARD = new Target("switchboard", PeerKind.SWITCHBOARD, Protocol.NATIVE);
    public static final Target SWITCHBOARD_STOMP = new Target("switchboard-stomp", PeerKind.SWITCHBOARD, Protocol.STOMP);
    public static final Target SPRING = new Target("spring", PeerKind.SPRING, Protocol.STOMP);
    public static final Target SOCKETIO = new Target("socketio", PeerKind.SOCKETIO, Protocol.SOCKETIO);

    /** In the order a round runs them: A B C D E (F). */
    public static final List<Target> ALL = List.of(RAW, TYRUS, SWITCHBOARD, SWITCHBOARD_STOMP, SPRING, SOCKETIO);

    public static Target named(String name) {
        return ALL.stream().filter(t -> t.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown target " + name + "; known: " + ALL));
    }

    @Override
    public String toString() {
        return name;
    }
}
