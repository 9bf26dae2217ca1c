package dev.switchboard.security;

import dev.switchboard.broker.ClientIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A destination pattern of a rules file: a topic, user queue or handler name with wildcards and a
 * placeholder. {@code *} matches one or more characters within a segment (no {@code .}),
 * {@code **} one or more characters of any kind, {@code {sub}} exactly the client's user id
 * (taken literally: a {@code *} or {@code .} in a user id is no wildcard). So
 * {@code agent.{sub}.*} lets alice at {@code agent.alice.inbox} but not {@code agent.alice.x.y},
 * nor, for a user named {@code alice.x}, at alice's topics. Immutable.
 */
final class DestinationPattern {

    /** Names (TopicNames) plus the wildcard and the placeholder. */
    private static final Pattern SHAPE = Pattern.compile("([A-Za-z0-9._:-]|\\*|\\{sub})+");

    private sealed interface Part {
    }

    private record Literal(String text) implements Part {
    }

    private record Subject() implements Part {
    }

    private record Star(boolean crossesSegments) implements Part {
    }

    private final String source;
    private final List<Part> parts;

    private DestinationPattern(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /**
     * @throws IllegalArgumentException if {@code pattern} holds anything but name characters,
     *                                  {@code *}, {@code **} and {@code {sub}}, or three stars in a row
     */
    static DestinationPattern parse(String pattern) {
        if (pattern == null || pattern.isEmpty() || pattern.length() > 256 || !SHAPE.matcher(pattern).matches()
                || pattern.contains("***")) {
            throw new IllegalArgumentException("pattern '" + pattern + "' may hold only A-Z a-z 0-9 . _ : -,"
                    + " * (within a segment), ** (across segments) and {sub}");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); ) {
            if (pattern.startsWith("{sub}", i)) {
                flush(literal, parts);
                parts.add(new Subject());
                i += "{sub}".length();
            } else if (pattern.startsWith("**", i)) {
                flush(literal, parts);
                parts.add(new Star(true));
                i += 2;
            } else if (pattern.charAt(i) == '*') {
                flush(literal, parts);
                parts.add(new Star(false));
                i++;
            } else {
                literal.append(pattern.charAt(i++));
            }
        }
        flush(literal, parts);
        return new DestinationPattern(pattern, parts);
    }

    private static void flush(StringBuilder literal, List<Part> parts) {
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
            literal.setLength(0);
        }
    }

    boolean matches(String name, ClientIdentity client) {
        return name != null && matches(name, 0, 0, client.user());
    }

    /** Backtracking over the stars; names are at most 128 characters and patterns short. */
    private boolean matches(String name, int at, int part, String user) {
        if (part == parts.size()) {
            return at == name.length();
        }
        Part next = parts.get(part);
        if (next instanceof Literal literal) {
            return name.startsWith(literal.text(), at) && matches(name, at + literal.text().length(), part + 1, user);
        }
        if (next instanceof Subject) {
            return name.startsWith(user, at) && matches(name, at + user.length(), part + 1, user);
        }
        boolean crosses = ((Star) next).crossesSegments();
        for (int end = at + 1; end <= name.length(); end++) {
            if (!crosses && name.charAt(end - 1) == '.') {
                return false;
            }
            if (matches(name, end, part + 1, user)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return source;
    }
}
