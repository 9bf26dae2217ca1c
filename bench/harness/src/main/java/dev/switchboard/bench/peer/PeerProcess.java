package dev.switchboard.bench.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A peer server in its own process. Its output goes to a log file; it counts as started when it
 * prints its ready line (each peer prints one once it listens), not after a guessed delay.
 * {@link #close} sends SIGTERM and, after 15 s, SIGKILL; a shutdown hook does the same for every
 * peer still running if the harness itself is interrupted, so no peer outlives a run.
 */
public final class PeerProcess implements AutoCloseable {

    private static final Set<PeerProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PeerProcess::close), "peer-reaper"));
    }

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    private PeerProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} and waits until a line of its output contains {@code readyText}. */
    static PeerProcess start(String name, int port, List<String> command, String readyText, Path log,
                             long timeoutSeconds) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Peers take their settings only from the command line, whatever this shell exports.
        builder.environment().keySet().removeIf(variable -> variable.startsWith("SWITCHBOARD_"));
        PeerProcess peer = new PeerProcess(name, port, builder.start(), log);
        RUNNING.add(peer);
        Thread pump = new Thread(() -> peer.pumpOutput(readyText), name + "-output");
        pump.setDaemon(true);
        pump.start();
        try {
            peer.ready.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            peer.close();
            throw new IOException("interrupted while starting " + name);
        } catch (ExecutionException | TimeoutException e) {
            peer.close();
            throw new IOException(name + " did not start within " + timeoutSeconds + " s (log: " + log + ")");
        }
        return peer;
    }

    private void pumpOutput(String readyText) {
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true)) {
            String line;
            while ((line = output.readLine()) != null) {
                file.println(line);
                if (!ready.isDone() && line.contains(readyText)) {
                    ready.complete(null);
                }
            }
        } catch (IOException e) {
            // the process went away; fall through
        }
        ready.completeExceptionally(new IOException(name + " exited"));
    }

    /** The port the peer listens on (all interfaces). */
    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String pidText() {
        return Long.toString(process.pid());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /**
     * SIGKILL (what {@link Process#destroyForcibly} sends on Linux): no shutdown hook, no clean
     * close of anything; waits until the process is gone.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
        RUNNING.remove(this);
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(15, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            RUNNING.remove(this);
        }
    }
}
