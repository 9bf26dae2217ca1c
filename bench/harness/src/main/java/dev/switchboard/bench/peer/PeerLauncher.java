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
 */
public record PeerLauncher(Path java, List<String> jvmOptions, String serverCpus, String harnessClassPath,
                           String tyrusClassPath, String springClassPath, Path switchboardJar, String jwtSecret,
                           String apiKey, Path logDirectory) {

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
                if (!Files.isRegularFile(switchboardJar)) {
                    throw new IOException(switchboardJar + " missing: build the root project first (bench/run does)");
                }
                command.addAll(List.of(
                        "-Dswitchboard.port=" + port,
                        "-Dswitchboard.jwt.secret=" + jwtSecret,
                        "-Dswitchboard.api.key=" + apiKey,
                        // The handshake-rate scenario connects thousands of clients from 127.0.0.x:
                        // the per-address limit (100/s by default) would measure the limiter.
                        "-Dswitchboard.handshake.rate=0",
                        "-jar", switchboardJar.toString()));
                readyText = "Switchboard is running at";
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        return PeerProcess.start(runName, port, command, readyText, logDirectory.resolve(runName + ".log"), 120);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
