package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script, run by its SHA-1 ({@code EVALSHA}) and sent whole ({@code EVAL}, which also
 * caches it) only when Redis answers {@code NOSCRIPT}: after a restart, a failover or a
 * {@code SCRIPT FLUSH}. Immutable and thread safe.
 *
 * <p>Any Redis failure (down, timeout, error reply) becomes a {@link ClusterUnavailableException}
 * with a one-line message: {@code "Redis did not <what>: <reason>"}, or the class's own lead in
 * place of {@code "Redis did not <what>"} (see {@link #failingAs}), with the call's subject after
 * the lead when {@link #run(RedisCommands, ScriptOutputType, String, String[], String...)} is given
 * one. If the calling thread was interrupted while it waited, it stays interrupted.
 */
final class LuaScript {

    /** What the exception message starts with, before the subject and the reason. */
    private final String failure;
    private final String source;
    private final String sha;

    /** A script whose failures read {@code "Redis did not <what>: <reason>"}. */
    LuaScript(String what, String source) {
        this("Redis did not " + what, source, sha1(source));
    }

    private LuaScript(String failure, String source, String sha) {
        this.failure = failure;
        this.source = source;
        this.sha = sha;
    }

    /** A script whose failures read {@code "<failure>: <reason>"}, for a class with its own wording. */
    static LuaScript failingAs(String failure, String source) {
        return new LuaScript(failure, source, sha1(source));
    }

    /** Runs the script and returns its reply as Lettuce decodes {@code type}. */
    <T> T run(RedisCommands<String, String> redis, ScriptOutputType type, String[] keys, String... args) {
        return run(redis, type, null, keys, args);
    }

    /**
     * As {@link #run(RedisCommands, ScriptOutputType, String[], String...)}, naming {@code subject}
     * (such as {@code "topic news"}) after the lead of a failure's message; null names nothing.
     */
    <T> T run(RedisCommands<String, String> redis, ScriptOutputType type, String subject, String[] keys,
            String... args) {
        try {
            try {
                return redis.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                // Redis lost its script cache; EVAL both runs and caches it again.
                return redis.eval(source, type, keys, args);
            }
        } catch (RedisException e) {
            if (e instanceof RedisCommandInterruptedException) {
                // The caller sees ClusterUnavailableException, not the interruption: keep the flag
                // set for it (Lettuce 7 sets it again before throwing; setting it twice is harmless).
                Thread.currentThread().interrupt();
            }
            String lead = subject == null ? failure : failure + " " + subject;
            throw new ClusterUnavailableException(lead + ": " + oneLine(e), e);
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-1", e);
        }
    }
}
