package dev.switchboard.security;

import dev.switchboard.security.DestinationRules.Action;
import dev.switchboard.security.DestinationRules.Kind;
import dev.switchboard.security.DestinationRules.Rule;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a rules file, YAML or JSON (JSON is read as the YAML it is a subset of). Strict: an
 * unknown key, action or destination kind is an error naming the rule, so a typo never silently
 * widens or narrows access. Shape (docs/security.md "Destination rules"):
 *
 * <pre>
 * defaults: {subscribe: allow, publish: deny, send: allow}   # optional; these are the defaults
 * rules:
 *   - allow: [subscribe, publish]
 *     topic: "agent.{sub}.*"
 *     roles: [agent]
 *   - deny: subscribe
 *     topic: "ops.**"
 *     claims: {tenant: [acme, globex]}
 * </pre>
 */
final class RulesFileParser {

    private static final Set<String> TOP_KEYS = Set.of("rules", "defaults");
    private static final Set<String> RULE_KEYS = Set.of("allow", "deny", "topic", "userQueue", "app", "roles",
            "users", "claims");

    private RulesFileParser() {
    }

    /** @throws IllegalArgumentException with one line saying what is wrong and where */
    static DestinationRules parse(String text) {
        Object document = load(text);
        if (!(document instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("the file must be a map with a 'rules' list (and optional 'defaults')");
        }
        checkKeys(top, TOP_KEYS, "the file");
        if (!(top.get("rules") instanceof List<?> list)) {
            throw new IllegalArgumentException("'rules' must be a list of rules");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "rule " + (i + 1);
            if (!(list.get(i) instanceof Map<?, ?> rule)) {
                throw new IllegalArgumentException(where + " must be a map");
            }
            rules.add(rule(rule, where));
        }
        return new DestinationRules(rules, defaults(top.get("defaults")));
    }

    private static Object load(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10); // no billion laughs
        options.setAllowRecursiveKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            String at = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new IllegalArgumentException("does not parse as YAML or JSON" + at + ": " + oneLine(e.getProblem()), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("does not parse as YAML or JSON: " + oneLine(e.getMessage()), e);
        }
    }

    private static Rule rule(Map<?, ?> rule, String where) {
        checkKeys(rule, RULE_KEYS, where);
        if (rule.containsKey("allow") == rule.containsKey("deny")) {
            throw new IllegalArgumentException(where + " needs exactly one of 'allow' or 'deny' (with its actions)");
        }
        boolean allow = rule.containsKey("allow");
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String action : strings(rule.get(allow ? "allow" : "deny"), where + " '" + (allow ? "allow" : "deny") + "'")) {
            actions.add(action(action, where));
        }
        if (actions.isEmpty()) {
            throw new IllegalArgumentException(where + " names no action (subscribe, publish, send)");
        }
        Kind kind = null;
        DestinationPattern pattern = null;
        for (Kind candidate : Kind.values()) {
            if (rule.containsKey(candidate.key)) {
                if (kind != null) {
                    throw new IllegalArgumentException(where + " names more than one of 'topic', 'userQueue', 'app'");
                }
                kind = candidate;
                if (!(rule.get(candidate.key) instanceof String text)) {
                    throw new IllegalArgumentException(where + " '" + candidate.key + "' must be a string");
                }
                try {
                    pattern = DestinationPattern.parse(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                }
            }
        }
        checkKindFitsActions(kind, actions, where);
        return new Rule(allow, actions, kind, pattern, strings(rule.get("roles"), where + " 'roles'"),
                strings(rule.get("users"), where + " 'users'"), claims(rule.get("claims"), where));
    }

    /** Handlers only take sends; topics and user queues take subscribes and publishes. */
    private static void checkKindFitsActions(Kind kind, Set<Action> actions, String where) {
        if (kind == Kind.APP && !actions.equals(EnumSet.of(Action.SEND))) {
            throw new IllegalArgumentException(where + ": 'app' goes with the action 'send' only");
        }
        if ((kind == Kind.TOPIC || kind == Kind.USER_QUEUE) && actions.contains(Action.SEND)) {
            throw new IllegalArgumentException(where + ": '" + kind.key + "' goes with 'subscribe' and 'publish',"
                    + " not 'send' (handlers are named by 'app')");
        }
    }

    private static Action action(String name, String where) {
        try {
            return Action.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": unknown action '" + name + "' (subscribe, publish, send)", e);
        }
    }

    private static Map<String, Set<String>> claims(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + " 'claims' must map claim names to a value or a list of values");
        }
        Map<String, Set<String>> claims = new LinkedHashMap<>();
        for (Map.Entry<?, ?> claim : map.entrySet()) {
            String name = String.valueOf(claim.getKey());
            Set<String> values = strings(claim.getValue(), where + " claim '" + name + "'");
            if (values.isEmpty()) {
                throw new IllegalArgumentException(where + " claim '" + name + "' lists no value");
            }
            claims.put(name, values);
        }
        return claims;
    }

    private static Map<Action, Boolean> defaults(Object value) {
        Map<Action, Boolean> defaults = new EnumMap<>(Action.class);
        defaults.put(Action.SUBSCRIBE, true);
        defaults.put(Action.PUBLISH, false); // deny by default: publishing from clients is the exception
        defaults.put(Action.SEND, true);
        if (value == null) {
            return defaults;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("'defaults' must map actions to allow or deny");
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            Action action = action(String.valueOf(entry.getKey()), "'defaults'");
            String decision = String.valueOf(entry.getValue()).toLowerCase(Locale.ROOT);
            if (!decision.equals("allow") && !decision.equals("deny")) {
                throw new IllegalArgumentException("'defaults' " + entry.getKey() + " must be allow or deny, not '"
                        + entry.getValue() + "'");
            }
            defaults.put(action, decision.equals("allow"));
        }
        return defaults;
    }

    /** A string or a list of strings, as a set; absent is empty. */
    private static Set<String> strings(Object value, String what) {
        if (value == null) {
            return Set.of();
        }
        if (value instanceof String text) {
            return Set.of(text);
        }
        if (value instanceof List<?> list) {
            Set<String> texts = new LinkedHashSet<>();
            for (Object item : list) {
                if (!(item instanceof String text)) {
                    throw new IllegalArgumentException(what + " must be a string or a list of strings, not " + item
                            + " (quote ids that look like numbers: \"" + item + "\")");
                }
                texts.add(text);
            }
            return Set.copyOf(texts);
        }
        throw new IllegalArgumentException(what + " must be a string or a list of strings");
    }

    private static void checkKeys(Map<?, ?> map, Set<String> known, String where) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replaceAll("\\s+", " ").trim();
    }
}
