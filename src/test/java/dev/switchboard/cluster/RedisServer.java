package dev.switchboard.cluster;

import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.File;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis for tests, in unit tests of any package and in the integration tests (a separate
 * failsafe JVM). Where it comes from, in this order:
 * <ol>
 *   <li>{@code REDIS_URL} (environment variable, or system property {@code redis.url}): that server
 *       is used as it is and nothing is started. {@link #kill()}, {@link #restart()} then fail; a
 *       test that needs them calls {@link #startOwn()}, which always starts a process.</li>
 *   <li>{@code redis-server} on the {@code PATH} (Debian's Redis 7 on CI).</li>
 *   <li>The Linux binary carried by the {@code embedded-redis} test dependency (Redis 6.2, needs
 *       OpenSSL 3's libssl), extracted once to {@code target/redis/}.</li>
 * </ol>
 * The system property {@code redis.server} overrides the search for a binary: a path, or
 * {@code embedded} to force the third source.
 *
 * <p>A started server listens on 127.0.0.1 on a free port, keeps no snapshot, has its own
 * {@code --dir} and log file under {@code target/redis/}, and is stopped by {@link #close()} or at
 * the latest by a JVM shutdown hook. Thread safe.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger LOG = System.getLogger(RedisServer.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Path WORK = Path.of(System.getProperty("basedir", "."), "target", "redis");

    /** Where a redis-server binary comes from. */
    enum Source { PATH, EMBEDDED }

    /** A located binary: its path and where it came from (for the log). */
    record Binary(Path path, String origin) {}

    private final String host;
    private final int port;
    private final Optional<String> password;
    /** Null for a server given by REDIS_URL. */
    private final Binary binary;
    private final Path dir;
    private final boolean appendOnly;
    /** Guarded by {@code this}; null once killed or closed. */
    private Process process;
    private Thread shutdownHook;

    private RedisServer(String host, int port, Optional<String> password, Binary binary, Path dir, boolean appendOnly) {
        this.host = host;
        this.port = port;
        this.password = password;
        this.binary = binary;
        this.dir = dir;
        this.appendOnly = appendOnly;
    }

    /** The one server of this JVM, started (or found through REDIS_URL) on first use. Tests share it: flush what you rely on. */
    public static RedisServer shared() {
        return Shared.SERVER;
    }

    /** A private server on its own port, which the test may kill, restart and must close. */
    public static RedisServer startOwn() {
        return startOwn(false);
    }

    /** Like {@link #startOwn()}; with {@code appendOnly} the data survives {@link #kill()} and {@link #restart()}. */
    public static RedisServer startOwn(boolean appendOnly) {
        return startOwn(Binaries.DEFAULT, appendOnly);
    }

    /** A private server from a given binary (tests force the embedded one with {@code binary(Source.EMBEDDED)}). */
    static RedisServer startOwn(Binary binary, boolean appendOnly) {
        try {
            Files.createDirectories(WORK);
            int port = freePort();
            Path dir = Files.createTempDirectory(WORK, "data-" + port + "-");
            RedisServer server = new RedisServer("127.0.0.1", port, Optional.empty(), binary, dir, appendOnly);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server given by a {@code redis://[:password@]host:port} URL; nothing is started. */
    static RedisServer external(String url) {
        URI uri = URI.create(url);
        if (uri.getHost() == null || !uri.getScheme().startsWith("redis")) {
            throw new IllegalArgumentException("REDIS_URL must look like redis://host:port, not " + url);
        }
        Optional<String> password = Optional.ofNullable(uri.getUserInfo())
                .map(info -> info.substring(info.indexOf(':') + 1)).filter(p -> !p.isEmpty());
        return new RedisServer(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), password, null, null, false);
    }

    /** {@code redis://host:port} (with the password, if REDIS_URL had one). */
    public String uri() {
        return "redis://" + password.map(p -> ":" + p + "@").orElse("") + host + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Whether this helper started the server (false for REDIS_URL), that is, whether kill and restart work. */
    public boolean usesOwnProcess() {
        return binary != null;
    }

    /** Deletes every key of every database. */
    public void flushAll() {
        call("FLUSHALL");
    }

    /** Makes Redis hold every client's commands for {@code duration} ({@code CLIENT PAUSE <ms> ALL}); returns at once. */
    public void pause(Duration duration) {
        call("CLIENT", "PAUSE", Long.toString(duration.toMillis()), "ALL");
    }

    /** Kills the server with SIGKILL and waits until the process is gone; clients see their connections drop. */
    public synchronized void kill() {
        requireOwnProcess("kill");
        if (process == null) {
            throw new IllegalStateException("Redis on port " + port + " is not running");
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Redis on port " + port + " did not exit after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Redis to exit", e);
        }
        process = null;
    }

    /** Starts the server again on the same port and directory, after {@link #kill()}; returns once it answers PING. */
    public synchronized void restart() {
        requireOwnProcess("restart");
        if (process != null) {
            throw new IllegalStateException("Redis on port " + port + " is still running; kill() it first");
        }
        start();
    }

    /**
     * Starts a Sentinel (this server's binary in sentinel mode) on a free port that monitors this
     * server as master {@code masterName}; the caller closes it. Returns once the Sentinel knows
     * the master's address.
     */
    public RedisServer.Sentinel startSentinel(String masterName) {
        requireOwnProcess("watch with a Sentinel");
        try {
            int sentinelPort = freePort();
            Path config = Files.createTempFile(WORK, "sentinel-" + sentinelPort + "-", ".conf");
            // Sentinel rewrites its configuration file, so it must be its own and writable.
            Files.writeString(config, String.join("\n", "port " + sentinelPort, "bind 127.0.0.1",
                    "protected-mode no", "dir " + dir, "sentinel monitor " + masterName + " 127.0.0.1 " + port + " 1",
                    "sentinel down-after-milliseconds " + masterName + " 1000", ""));
            Path log = WORK.resolve("sentinel-" + sentinelPort + ".log");
            Process sentinel = new ProcessBuilder(binary.path().toString(), config.toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RedisServer asClient = new RedisServer("127.0.0.1", sentinelPort, Optional.empty(), null, null, false);
            await("Sentinel on port " + sentinelPort + " knowing master " + masterName + " (log: " + log + ")")
                    .atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        if (!sentinel.isAlive()) {
                            throw new IllegalStateException("Sentinel exited with " + sentinel.exitValue() + "; see " + log);
                        }
                        return asClient.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName).contains(
                                Integer.toString(port));
                    });
            return new Sentinel(sentinel, sentinelPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running Sentinel; {@link #close()} stops it. */
    public record Sentinel(Process process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** Stops a started server (nothing for REDIS_URL's). The shared server is left to the JVM's shutdown. */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroyForcibly();
            process = null;
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running or has run, and stops nothing more.
                LOG.log(Level.DEBUG, "JVM already shutting down", e);
            }
            shutdownHook = null;
        }
    }

    /** Sends one command and returns the reply as text (bulk and simple strings, integers); an error reply throws. */
    String call(String... command) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (password.isPresent()) {
                write(out, "AUTH", password.get());
                read(in);
            }
            write(out, command);
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis at " + host + ":" + port + " did not answer " + command[0], e);
        }
    }

    /** The server's {@code redis_version}. */
    String version() {
        return call("INFO", "server").lines().filter(line -> line.startsWith("redis_version:"))
                .map(line -> line.substring("redis_version:".length()).strip()).findFirst().orElse("unknown");
    }

    private synchronized void start() {
        List<String> command = new ArrayList<>(List.of(binary.path().toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--protected-mode", "no", "--save", "", "--appendonly", appendOnly ? "yes" : "no",
                "--dir", dir.toString()));
        Path log = WORK.resolve("redis-" + port + ".log");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + binary.path(), e);
        }
        // Replaced at each (re)start: the hook must stop the current process.
        if (shutdownHook != null) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        Process started = process;
        shutdownHook = new Thread(started::destroyForcibly, "redis-server-" + port + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        await("redis-server on port " + port + " answering PING (log: " + log + ")").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("redis-server exited with " + started.exitValue() + "; see " + log);
                    }
                    return "PONG".equals(call("PING"));
                });
    }

    private void requireOwnProcess(String what) {
        if (!usesOwnProcess()) {
            throw new IllegalStateException("Cannot " + what + " the Redis given by REDIS_URL; "
                    + "use RedisServer.startOwn() for a server a test may " + what);
        }
    }

    private static void write(OutputStream out, String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String read(InputStream in) throws IOException {
        String line = readLine(in);
        return switch (line.charAt(0)) {
            case '+', ':' -> line.substring(1);
            case '-' -> throw new IllegalStateException("Redis answered " + line.substring(1));
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    yield null;
                }
                byte[] body = in.readNBytes(length + 2); // and its CRLF
                yield new String(body, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                // An array (SENTINEL replies): its elements, one per line.
                int count = Integer.parseInt(line.substring(1));
                List<String> elements = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    elements.add(read(in));
                }
                yield String.join("\n", elements);
            }
            default -> throw new IllegalStateException("Unexpected Redis reply " + line);
        };
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Finds the binary for a source; package-private so that a test can force the embedded one. */
    static Binary binary(Source source) {
        return switch (source) {
            case PATH -> onPath().orElseThrow(() -> new IllegalStateException("No redis-server on the PATH"));
            case EMBEDDED -> Binaries.embedded();
        };
    }

    private static Optional<Binary> onPath() {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path candidate = Path.of(entry, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(new Binary(candidate, "the PATH"));
                }
            }
        }
        return Optional.empty();
    }

    /** The binaries, located once per JVM (the embedded one extracted once per build directory). */
    private static final class Binaries {
        static final Binary DEFAULT = locateDefault();
        private static Binary embedded;

        private static Binary locateDefault() {
            String override = System.getProperty("redis.server", "");
            Binary found;
            if (override.equals("embedded")) {
                found = embedded();
            } else if (!override.isEmpty()) {
                found = new Binary(Path.of(override), "system property redis.server");
            } else {
                found = onPath().orElseGet(Binaries::embedded);
            }
            LOG.log(Level.INFO, "Tests start {0} from {1}", versionOf(found.path()), found.origin());
            return found;
        }

        static synchronized Binary embedded() {
            if (embedded == null) {
                embedded = extract();
            }
            return embedded;
        }

        private static Binary extract() {
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            String resource;
            if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
                resource = "redis-server-6.2.6-v5-linux-amd64";
            } else if (os.contains("linux") && arch.equals("aarch64")) {
                resource = "redis-server-6.2.7-linux-arm64";
            } else {
                throw new IllegalStateException("The embedded-redis jar has no redis-server used here for " + os + "/"
                        + arch + "; install redis-server or set REDIS_URL");
            }
            Path target = WORK.resolve(resource);
            try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the test class path (the embedded-redis "
                            + "test dependency); install redis-server or set REDIS_URL");
                }
                if (!Files.isExecutable(target)) {
                    Files.createDirectories(WORK);
                    // Another JVM may extract at the same time: each writes its own file, the move is atomic.
                    Path partial = Files.createTempFile(WORK, resource, ".part");
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                    if (!partial.toFile().setExecutable(true)) {
                        throw new IllegalStateException("Cannot make " + partial + " executable");
                    }
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot extract " + resource + " to " + target, e);
            }
            return new Binary(target, "the embedded-redis jar");
        }

        private static String versionOf(Path binary) {
            try {
                Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                process.waitFor(10, TimeUnit.SECONDS);
                return output;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot run " + binary + " --version", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while asking " + binary + " for its version", e);
            }
        }
    }

    private static final class Shared {
        static final RedisServer SERVER = createShared();

        private static RedisServer createShared() {
            String url = Optional.ofNullable(System.getProperty("redis.url"))
                    .or(() -> Optional.ofNullable(System.getenv("REDIS_URL"))).filter(value -> !value.isBlank()).orElse(null);
            if (url == null) {
                return startOwn(false); // not closed by anyone: its shutdown hook stops it with the JVM
            }
            RedisServer server = external(url);
            LOG.log(Level.INFO, "Tests use Redis {0} at {1}:{2,number,#} from REDIS_URL", server.version(), server.host,
                    server.port);
            return server;
        }
    }
}
