package dev.switchboard.bench.peer;

/** The servers the suite compares. */
public enum PeerKind {
    /** {@link RawFanoutServer}: hand-written NIO on one thread, the ceiling. */
    RAW,
    /** A bare {@code @ServerEndpoint} on Tyrus/Grizzly with a {@code sendText} loop, the floor. */
    TYRUS,
    /** Switchboard's standalone jar (embedded Tomcat 10.1), the product. */
    SWITCHBOARD,
    /** Spring Boot 3 STOMP with the simple broker, what users would pick instead. */
    SPRING,
    /** Socket.IO v4 on Node 20 ({@code bench/peer-socketio/server.js}), one room, {@code io.to(room).emit}. */
    SOCKETIO;

    /** Whether it runs in a JVM: {@code jcmd} probes (heap after GC) work only there, a SIGQUIT would kill Node. */
    public boolean isJvm() {
        return this != SOCKETIO;
    }
}
