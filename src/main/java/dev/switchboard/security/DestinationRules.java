package dev.switchboard.security;

import dev.switchboard.broker.ClientIdentity;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a rules file (SWITCHBOARD_RULES; docs/security.md "Destination rules"): an ordered
 * list, the first rule that matches a request decides it; when none does, the default of the
 * request's action decides (subscribe and send: allow, publish: deny, unless the file says
 * otherwise). Immutable.
 */
record DestinationRules(List<Rule> rules, Map<Action, Boolean> defaults) {

    /** What a client asks to do. */
    enum Action {
        /** Subscribe to a topic or to one's own user queue. */
        SUBSCRIBE,
        /** Put a message on a topic, or on one's own user queue (STOMP SEND to {@code /user/<self>/queue/<name>}). */
        PUBLISH,
        /** Hand a message to an application handler (native {@code send}, STOMP SEND to {@code /app/<name>}). */
        SEND
    }

    /** What kind of destination a request names. */
    enum Kind {
        TOPIC("topic"), USER_QUEUE("userQueue"), APP("app");

        final String key;

        Kind(String key) {
            this.key = key;
        }
    }

    /**
     * One rule: whether it allows or denies, the actions it is about, the destinations (a kind and
     * a pattern; a null kind means every destination of those actions), and who it is for: all of
     * the given conditions hold (any of {@code roles}, any of {@code users}, and for each claim, any
     * of its values); no condition means every client.
     */
    record Rule(boolean allow, Set<Action> actions, Kind kind, DestinationPattern pattern, Set<String> roles,
            Set<String> users, Map<String, Set<String>> claims) {

        boolean matches(Action action, Kind requestKind, String name, ClientIdentity client) {
            return actions.contains(action)
                    && (kind == null || (kind == requestKind && pattern.matches(name, client)))
                    && (roles.isEmpty() || roles.stream().anyMatch(client::hasRole))
                    && (users.isEmpty() || users.contains(client.user()))
                    && claims.entrySet().stream().allMatch(claim ->
                            client.claim(claim.getKey()).stream().anyMatch(claim.getValue()::contains));
        }
    }

    DestinationRules {
        rules = List.copyOf(rules);
        defaults = Map.copyOf(defaults);
    }

    /** Whether {@code client} may do {@code action} on the destination {@code name} of kind {@code kind}. */
    boolean permits(Action action, Kind kind, String name, ClientIdentity client) {
        for (Rule rule : rules) {
            if (rule.matches(action, kind, name, client)) {
                return rule.allow();
            }
        }
        return defaults.get(action);
    }
}
