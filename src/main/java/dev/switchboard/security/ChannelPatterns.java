package dev.switchboard.security;

import java.util.List;

/**
 * Matching of channel and topic patterns as the token's {@code channels} claim uses them: a
 * literal, or a prefix followed by one {@code *} at the end ({@code desk-*}). A {@code *} anywhere
 * else is taken literally and so never matches a valid id.
 */
public final class ChannelPatterns {

    private ChannelPatterns() {
    }

    public static boolean matches(String pattern, String id) {
        if (pattern.endsWith("*")) {
            return id.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(id);
    }

    public static boolean anyMatches(List<String> patterns, String id) {
        for (String pattern : patterns) {
            if (matches(pattern, id)) {
                return true;
            }
        }
        return false;
    }
}
