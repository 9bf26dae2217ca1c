package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
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
 * whose one-line message names {@code what} the script does.
 */
final class LuaScript {

    private final String what;
    private final String source;
    private final String sha;

    LuaScript(String what, String source) {
        this.what = what;
        this.source = source;
        this.sha = sha1(source);
    }

    /** Runs the script and returns its reply as Lettuce decodes {@code type}. */
    <T> T run(RedisCommands<String, String> redis, ScriptOutputType type, String[] keys, String... args) {
        try {
            try {
                return redis.evalsha(sha, type, keys, args);
            } catch (RedisNoScriptException e) {
                // Redis lost its script cache; EVAL both runs and caches it again.
                return redis.eval(source, type, keys, args);
            }
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Redis did not " + what + ": " + oneLine(e), e);
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
