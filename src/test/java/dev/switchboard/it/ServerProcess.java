package dev.switchboard.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real product under test in its own process, on a free port, with settings as system
 * properties: the standalone jar, or the WAR in a real servlet container when the test JVM was
 * asked for one ({@link Deployment#current()}). Output goes to {@code target/it-logs/<name>.log}.
 * {@link #stop()} sends SIGTERM, as an operator would.
 *
 * <p>As a JUnit extension ({@link #perTestClass}), it starts before a test class's first test and
 * stops after its last; with {@code -Dswitchboard.it.front=nginx} such servers sit behind a real
 * nginx ({@link NginxFront}), so the same suite proves the shipped proxy configuration.
 */
final class ServerProcess implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final Map<String, String> settings;
    private final boolean awaitReady;
    /** Whether clients reach this server through {@link NginxFront} (the suite's nginx run). */
    private final boolean behindNginx;
    private final Deployment deployment = Deployment.current();
    private NginxFront front;
    // Set by launch(), before any test touches the server.
    private Process process;
    private int port;
    private Path log;

    private ServerProcess(String name, Map<String, String> settings, boolean awaitReady) {
        this(name, settings, awaitReady, false);
    }

    private ServerProcess(String name, Map<String, String> settings, boolean awaitReady, boolean behindNginx) {
        this.name = name;
        this.settings = Map.copyOf(settings);
        this.awaitReady = awaitReady;
        this.behindNginx = behindNginx;
    }

    /**
     * A server for one test class, with the test secret and API key plus {@code settings} (keys
     * without the {@code switchboard.} prefix); register it with {@code @RegisterExtension}.
     */
    static ServerProcess perTestClass(String name, Map<String, String> settings) {
        if (NginxFront.requested()) {
            Map<String, String> behindProxy = new LinkedHashMap<>(settings);
            behindProxy.put("trusted.proxies", "127.0.0.1");
            return new ServerProcess(name, withTestKeys(behindProxy), true, true);
        }
        return new ServerProcess(name, withTestKeys(settings), true);
    }

    /** Starts a server with the test secret and API key plus {@code settings}, and waits until it is ready. */
    static ServerProcess start(String name, Map<String, String> settings) throws IOException {
        ServerProcess server = new ServerProcess(name, withTestKeys(settings), true);
        server.launch();
        return server;
    }

    /** Launches a server with exactly {@code settings} (plus a free port) and does not wait for it. */
    static ServerProcess launch(String name, Map<String, String> settings) throws IOException {
        ServerProcess server = new ServerProcess(name, settings, false);
        server.launch();
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        launch();
        if (behindNginx) {
            front = NginxFront.start(name, port);
            awaitReady(); // now through nginx: port() is nginx's
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        close();
    }

    private static Map<String, String> withTestKeys(Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("jwt.secret", TestTokens.SECRET);
        all.put("api.key", TestTokens.API_KEY);
        all.putAll(settings);
        return all;
    }

    /**
     * Starts a second process like this stopped one, on the same port: to clients, the same
     * server restarted. Waits until it is ready.
     */
    ServerProcess restarted() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("stop the server before restarting it");
        }
        ServerProcess again = new ServerProcess(name + "-restarted", settings, true);
        again.launchOn(port);
        return again;
    }

    private void launch() throws IOException {
        launchOn(deployment.choosePort());
    }

    private void launchOn(int chosenPort) throws IOException {
        port = chosenPort;
        Map<String, String> systemProperties = new LinkedHashMap<>();
        // "jvm.<name>" is the JVM's own system property <name> (e.g. a trust store), not a setting.
        settings.forEach((key, value) -> systemProperties.put(
                key.startsWith("jvm.") ? key.substring("jvm.".length()) : "switchboard." + key, value));
        Path logs = Path.of("target", "it-logs", deployment.name());
        Files.createDirectories(logs);
        log = logs.resolve(name + ".log");
        ProcessBuilder builder = deployment.prepare(name, port, systemProperties)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // Settings come only from the properties above, whatever the developer's environment holds.
        builder.environment().keySet().removeIf(variable -> variable.startsWith("SWITCHBOARD_"));
        process = builder.start();
        if (awaitReady) {
            awaitReady();
        }
    }

    /** Waits for the process to exit by itself (up to 60 s) and returns its status. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("server still running after 60 s");
        }
        return process.exitValue();
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        await(deployment.name() + " server on port " + port() + " ready (log: " + log + ")")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + output());
                    }
                    try {
                        return http.send(HttpRequest.newBuilder(uri("/health/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /**
     * This server as clients reach it through {@code front}, which may balance over several
     * servers: a view for building URIs, not to be stopped (stop this one; the caller closes front).
     */
    ServerProcess reachedThrough(NginxFront nginx) {
        ServerProcess view = new ServerProcess(name, settings, false, true);
        view.process = process;
        view.port = port;
        view.log = log;
        view.front = nginx;
        return view;
    }

    /** The port clients use: the server's, or nginx's in front of it. */
    int port() {
        return front == null ? port : front.port();
    }

    /** {@code pathAndQuery} of the application (e.g. {@code /ws/stomp}) as a path on this server. */
    String path(String pathAndQuery) {
        return deployment.contextPath() + pathAndQuery;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + path(pathAndQuery));
    }

    URI wsUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + path(pathAndQuery));
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM and returns at once; {@link #awaitExit()} waits for the process to end. */
    void signalStop() {
        process.destroy();
    }

    /**
     * Kills the server's JVM with SIGKILL, as a crash or the OOM killer would: no shutdown hook
     * runs, no close frame is sent, nothing is cleaned up in Redis. Returns once the process is gone.
     */
    void kill() throws InterruptedException {
        ProcessHandle jvm = ProcessHandle.of(jvmPid()).orElseThrow();
        jvm.destroyForcibly();
        process.destroyForcibly();
        try {
            jvm.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("server " + name + " still running 10 s after SIGKILL", e);
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("launcher of server " + name + " still running 10 s after SIGKILL");
        }
    }

    /** Sends SIGTERM and returns the exit status (waits up to 30 s). */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("server did not exit within 30 s of SIGTERM");
        }
        return process.exitValue();
    }

    /** Takes the application out of service as an operator of this deployment does (see {@link Deployment#undeploy}). */
    void undeploy() throws Exception {
        deployment.undeploy(this);
    }

    /**
     * The process id of the server's JVM: the launched process, or the {@code java} it started
     * (WildFly's {@code standalone.sh} runs it as a child).
     */
    long jvmPid() {
        ProcessHandle launched = process.toHandle();
        if (isJava(launched)) {
            return launched.pid();
        }
        return launched.descendants().filter(ServerProcess::isJava).findFirst()
                .orElseThrow(() -> new IllegalStateException("no java process under " + launched.pid())).pid();
    }

    private static boolean isJava(ProcessHandle handle) {
        return handle.info().command().map(command -> command.endsWith("/java")).orElse(false);
    }

    /** Which deployment this server is: {@code standalone}, {@code tomcat}, {@code payara} or {@code wildfly}. */
    String deploymentName() {
        return deployment.name();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
        if (front != null) {
            front.close();
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A port nobody listens on now (a small race with other processes is accepted in tests). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
