package dev.switchboard.bench.peer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds each peer's command line and starts it pinned to the server CPU set ({@code taskset -c
 * 0} by default; the harness runs on the other core). Every peer gets the same JVM options:
 * taskset changes what a JVM sees as its processor count (and so its GC and thread pools), so
 * they must all be pinned the same way.
 *
 * @param java               the java binary
 * @param jvmOptions         options for every peer JVM (heap size first)
 * @param serverCpus         taskset CPU list for peers
 * @param harnessClassPath   class path holding {@link RawFanoutServer}
 * @param tyrusClassPath     class path of the bench-peer-tyrus module
 * @param springClassPath    class path of the bench-peer-spring module
 * @param switchboardJar     target/switchboard-standalone.jar of the root project
 * @param jwtSecret          HS256 secret every peer verifies tokens with
 * @param apiKey             Switchboard's HTTP API key
 * @param logDirectory       where peer output goes
 * @param node               the node binary (Socket.IO peer)
 * @param socketIoPeer       bench/peer-socketio, with its node_modules installed ({@code npm ci}; bench/run does)
 */
public record PeerLauncher(Path java, List<String> jvmOptions, String serverCpus, String harnessClassPath,
                           String tyrusClassPath, String springClassPath, Path switchboardJar, String jwtSecret,
                           String apiKey, Path logDirectory, Path node, Path socketIoPeer) {

    /** A launcher without the Socket.IO peer (the cluster, SockJS and soak runs start only Switchboard). */
    public PeerLauncher(Path java, List<String> jvmOptions, String serverCpus, String harnessClassPath,
                        String tyrusClassPath, String springClassPath, Path switchboardJar, String jwtSecret,
                        String apiKey, Path logDirectory) {
        this(java, jvmOptions, serverCpus, harnessClassPath, tyrusClassPath, springClassPath, switchboardJar, jwtSecret,
                apiKey, logDirectory, null, null);
    }

    /** Starts the peer on a free port; the caller closes it. */
    public PeerProcess start(PeerKind kind, String runName) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("taskset", "-c", serverCpus, java.toString()));
        command.addAll(jvmOptions);
        String readyText = "READY " + port;
        switch (kind) {
            case RAW -> command.addAll(List.of("-cp", harnessClassPath, RawFanoutServer.class.getName(), Integer.toString(port)));
            case TYRUS -> command.addAll(List.of("-Dbench.jwt.secret=" + jwtSecret, "-cp", tyrusClassPath,
                    "dev.switchboard.bench.tyrus.BareTyrusPeer", Integer.toString(port)));
            case SPRING -> command.addAll(List.of("-Dbench.jwt.secret=" + jwtSecret, "-cp", springClassPath,
                    "dev.switchboard.bench.spring.SpringStompPeer", Integer.toString(port)));
            case SWITCHBOARD -> {
                return startSwitchboard(runName, List.of());
            }
            case SOCKETIO -> {
                return startSocketIo(runName, port);
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        return PeerProcess.start(runName, port, command, readyText, logDirectory.resolve(runName + ".log"), 120);
    }

    /**
     * Starts Switchboard's standalone jar on a free port, pinned like every peer, with these extra
     * {@code -D} options (e.g. {@code -Dswitchboard.redis.uri=...} and {@code -Dswitchboard.node.id=...}
     * for a cluster node); the caller closes it.
     */
    public PeerProcess startSwitchboard(String runName, List<String> extraOptions) throws IOException {
        if (!Files.isRegularFile(switchboardJar)) {
            throw new IOException(switchboardJar + " missing: build the root project first (bench/run does)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("taskset", "-c", serverCpus, java.toString()));
        command.addAll(jvmOptions);
        command.addAll(extraOptions);
        command.addAll(List.of(
                "-Dswitchboard.port=" + port,
                "-Dswitchboard.jwt.secret=" + jwtSecret,
                "-Dswitchboard.api.key=" + apiKey,
                // The handshake-rate scenario connects thousands of clients from 127.0.0.x:
                // the per-address limit (100/s by default) would measure the limiter.
                "-Dswitchboard.handshake.rate=0",
                // Saturating in-band publishers, thousands of sessions of one user from one
                // address and API publishing at full speed: the abuse limits would measure themselves.
                "-Dswitchboard.inbound.rate=0",
                "-Dswitchboard.inbound.bytes.rate=0",
                "-Dswitchboard.api.rate=0",
                "-Dswitchboard.max.sessions.per.user=0",
                "-Dswitchboard.max.sessions.per.address=0",
                "-Dswitchboard.max.subscriptions.per.session=0",
                "-jar", switchboardJar.toString()));
        return PeerProcess.start(runName, port, command, "Switchboard is running at", logDirectory.resolve(runName + ".log"),
                120);
    }

    /**
     * Starts the Socket.IO peer under Node, pinned like every peer. It takes no JVM options: it is
     * one Node process (one JavaScript thread, as the raw peer has one selector thread).
     */
    private PeerProcess startSocketIo(String runName, int port) throws IOException {
        if (socketIoPeer == null || !Files.isDirectory(socketIoPeer.resolve("node_modules/socket.io"))) {
            throw new IOException("the Socket.IO peer is not installed: run npm ci in bench/peer-socketio (bench/run does)");
        }
        List<String> command = List.of("taskset", "-c", serverCpus, node.toString(),
                socketIoPeer.resolve("server.js").toString(), Integer.toString(port), jwtSecret);
        return PeerProcess.start(runName, port, command, "READY " + port, logDirectory.resolve(runName + ".log"), 60);
    }

    /**
     * Starts {@code redis-server} on 127.0.0.1:{@code port} (0: a free port), pinned to {@code cpus},
     * without persistence (no RDB snapshot, no AOF: a restart starts empty), in its own directory
     * under the log directory; counts as started at its "Ready to accept connections" line.
     */
    public PeerProcess startRedis(Path redisServer, String runName, int port, String cpus) throws IOException {
        int chosen = port > 0 ? port : freePort();
        Path dir = logDirectory.resolve(runName + "-dir");
        Files.createDirectories(dir);
        List<String> command = List.of("taskset", "-c", cpus, redisServer.toString(),
                "--port", Integer.toString(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "yes");
        return PeerProcess.start(runName, chosen, command, "Ready to accept connections", logDirectory.resolve(runName + ".log"),
                30);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
