package dev.switchboard.standalone.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's options: {@code --name value} or {@code --name=value}, each name known to the
 * command and given once, unless the command lets it repeat. Small enough to parse by hand (four
 * commands, a handful of options), so the launcher carries no argument-parsing library.
 */
final class Options {

    private final Map<String, List<String>> values;

    private Options(Map<String, List<String>> values) {
        this.values = values;
    }

    /** @throws UsageException for an unknown option, a repeated one, or one without a value */
    static Options parse(List<String> args, Set<String> known) {
        return parse(args, known, Set.of());
    }

    /**
     * As {@link #parse(List, Set)}, where the options named in {@code repeatable} may be given
     * more than once ({@link #all}).
     */
    static Options parse(List<String> args, Set<String> known, Set<String> repeatable) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option --" + name + " (options: --"
                        + String.join(", --", known) + ")");
            }
            if (value == null) {
                if (rest.isEmpty() || rest.get(0).startsWith("--")) {
                    throw new UsageException("option --" + name + " needs a value");
                }
                value = rest.remove(0);
            }
            List<String> given = values.computeIfAbsent(name, n -> new ArrayList<>());
            if (!given.isEmpty() && !repeatable.contains(name)) {
                throw new UsageException("option --" + name + " given twice");
            }
            given.add(value);
        }
        return new Options(values);
    }

    Optional<String> get(String name) {
        return all(name).stream().findFirst();
    }

    /** Every value given for {@code name}, in order, trimmed, blank ones dropped. */
    List<String> all(String name) {
        return values.getOrDefault(name, List.of()).stream().filter(value -> !value.isBlank()).map(String::trim)
                .toList();
    }

    String required(String name) {
        return get(name).orElseThrow(() -> new UsageException("option --" + name + " is required"));
    }

    /** A comma list, entries trimmed, empty ones dropped; empty if not given. */
    List<String> list(String name) {
        return get(name).map(value -> List.of(value.split(","))).orElse(List.of()).stream().map(String::trim)
                .filter(entry -> !entry.isEmpty()).toList();
    }
}
