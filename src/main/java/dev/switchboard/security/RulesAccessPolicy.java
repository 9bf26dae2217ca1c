package dev.switchboard.security;

import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.security.DestinationRules.Action;
import dev.switchboard.security.DestinationRules.Kind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The destination rules of a rules file (SWITCHBOARD_RULES), for every protocol: the native one,
 * STOMP and both over SockJS ask this policy. The rules in force are read from {@code rules} on
 * every question, so a reloaded file counts for the next request of every open session. Thread safe.
 */
public final class RulesAccessPolicy implements AccessPolicy {

    private final Supplier<DestinationRules> rules;

    RulesAccessPolicy(Supplier<DestinationRules> rules) {
        this.rules = rules;
    }

    /**
     * The policy of the rules file {@code file}, checked for changes every {@code pollInterval}.
     *
     * @throws IllegalArgumentException with one line naming SWITCHBOARD_RULES, if it cannot be read or parsed
     */
    public static RulesAccessPolicy watching(Path file, Clock clock, ScheduledExecutorService scheduler,
            Duration pollInterval) {
        ReloadingFile<DestinationRules> rules = ReloadingFile.watch("SWITCHBOARD_RULES", file, RulesFileParser::parse,
                clock, scheduler, pollInterval);
        return new RulesAccessPolicy(rules::current);
    }

    @Override
    public boolean mayPublish(ClientIdentity client, String topic) {
        return rules.get().permits(Action.PUBLISH, Kind.TOPIC, topic, client);
    }

    @Override
    public boolean maySubscribe(ClientIdentity client, String topic) {
        return rules.get().permits(Action.SUBSCRIBE, Kind.TOPIC, topic, client);
    }

    @Override
    public boolean maySend(ClientIdentity client, String handler) {
        return rules.get().permits(Action.SEND, Kind.APP, handler, client);
    }

    @Override
    public boolean maySubscribeToUserQueue(ClientIdentity client, String queue) {
        return rules.get().permits(Action.SUBSCRIBE, Kind.USER_QUEUE, queue, client);
    }

    @Override
    public boolean mayPublishToUserQueue(ClientIdentity client, String queue) {
        return rules.get().permits(Action.PUBLISH, Kind.USER_QUEUE, queue, client);
    }
}
