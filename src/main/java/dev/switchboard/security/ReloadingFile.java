package dev.switchboard.security;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The parsed contents of a configuration file (a JWKS, a rules file) that is read again when it
 * changes, so keys and rules change with no restart.
 *
 * <p>The first read happens in {@link #open}: a file that cannot be read or parsed stops start-up
 * (an {@link IllegalArgumentException} with one line naming the setting). Later versions are read
 * by {@link #check()}, run periodically by {@link #pollEvery} and on demand by {@link #checkSoon()}
 * (rate limited: for a JWKS, a token with an unknown {@code kid}). The file's bytes are compared,
 * not its modification time, so a rewrite within one timestamp tick and a swapped symlink (a
 * Kubernetes ConfigMap) count too. A changed file that does not parse is refused with one WARNING
 * and the previous version stays in force; the same bad content is not reported again.
 *
 * <p>Thread safe: {@link #current()} is a volatile read; checks are serialised.
 *
 * @param <T> what the file parses to, immutable
 */
public final class ReloadingFile<T> {

    /** Turns a file's text into a value; throws {@link IllegalArgumentException} with a client-safe reason. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String text);
    }

    private static final Logger LOG = System.getLogger(ReloadingFile.class.getName());
    /**
     * How often {@link #checkSoon()} may read a {@link #watch watched} file at once (the poll reads
     * it anyway): bounds what a stream of made-up key ids costs.
     */
    static final Duration ON_DEMAND_INTERVAL = Duration.ofSeconds(1);

    private final String setting;
    private final Path path;
    private final Parser<T> parser;
    private final Clock clock;
    private final Duration minCheckInterval;
    private final AtomicReference<Instant> lastOnDemandCheck = new AtomicReference<>(Instant.MIN);
    private volatile T current;
    // Guarded by this: the bytes of the version in force, and of the last refused version.
    private byte[] currentBytes;
    private byte[] refusedBytes;

    private ReloadingFile(String setting, Path path, Parser<T> parser, Clock clock, Duration minCheckInterval,
            byte[] bytes, T value) {
        this.setting = setting;
        this.path = path;
        this.parser = parser;
        this.clock = clock;
        this.minCheckInterval = minCheckInterval;
        this.currentBytes = bytes;
        this.current = value;
    }

    /**
     * Reads and parses {@code path} (named by the setting {@code setting}, e.g.
     * {@code SWITCHBOARD_RULES}, in messages). {@code minCheckInterval} bounds how often
     * {@link #checkSoon()} reads the file.
     *
     * @throws IllegalArgumentException with one line naming the setting, if it cannot be read or parsed
     */
    public static <T> ReloadingFile<T> open(String setting, Path path, Parser<T> parser, Clock clock,
            Duration minCheckInterval) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + setting + " file " + path + ": " + e, e);
        }
        try {
            return new ReloadingFile<>(setting, path, parser, clock, minCheckInterval, bytes, parser.parse(text(bytes)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " file " + path + " is not valid: " + oneLine(e.getMessage()), e);
        }
    }

    /** {@link #open} and {@link #pollEvery}: a file in force from now on, checked every {@code pollInterval}. */
    public static <T> ReloadingFile<T> watch(String setting, Path path, Parser<T> parser, Clock clock,
            ScheduledExecutorService scheduler, Duration pollInterval) {
        ReloadingFile<T> file = open(setting, path, parser, clock, ON_DEMAND_INTERVAL);
        file.pollEvery(scheduler, pollInterval);
        return file;
    }

    /** The version in force. */
    public T current() {
        return current;
    }

    /** Runs {@link #check()} every {@code interval} on {@code scheduler} until the future is cancelled. */
    public ScheduledFuture<?> pollEvery(ScheduledExecutorService scheduler, Duration interval) {
        return scheduler.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * {@link #check()} now unless one ran on demand within the minimum interval: for a caller that
     * suspects the file changed (an unknown key id), which an attacker may repeat at will.
     *
     * @return whether a new version came into force
     */
    public boolean checkSoon() {
        Instant now = clock.instant();
        Instant last = lastOnDemandCheck.get();
        if (now.isBefore(last.plus(minCheckInterval)) || !lastOnDemandCheck.compareAndSet(last, now)) {
            return false;
        }
        return check();
    }

    /**
     * Reads the file; if its bytes differ from the version in force and parse, they come into force.
     *
     * @return whether a new version came into force
     */
    public synchronized boolean check() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            // Mid-replacement, or removed: keep what works; say so once per disappearance.
            if (refusedBytes == null || refusedBytes.length != 0) {
                LOG.log(Level.WARNING, "{0} file {1} cannot be read ({2}); keeping the version in force",
                        setting, path, e.toString());
                refusedBytes = new byte[0];
            }
            return false;
        }
        if (Arrays.equals(bytes, currentBytes) || Arrays.equals(bytes, refusedBytes)) {
            return false;
        }
        T value;
        try {
            value = parser.parse(text(bytes));
        } catch (IllegalArgumentException e) {
            refusedBytes = bytes;
            LOG.log(Level.WARNING, "{0} file {1} changed but is not valid, keeping the version in force: {2}",
                    setting, path, oneLine(e.getMessage()));
            return false;
        }
        current = value;
        currentBytes = bytes;
        refusedBytes = null;
        LOG.log(Level.INFO, "{0} file {1} reloaded", setting, path);
        return true;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: report, and poll on.
            LOG.log(Level.ERROR, setting + " file " + path + " could not be checked; the next poll runs as planned", e);
        }
    }

    /** Parsers may quote the offending input over several lines; a log line stays one line. */
    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s+", " ").trim();
    }

    private static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8 text", e);
        }
    }
}
