package dev.switchboard.cluster;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.TicketStore;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The tickets of a cluster, in Redis: a key {@code sb:ticket:{ticket}} per ticket with the ticket's
 * time to live, taken with {@code GETDEL} (Redis 6.2), so that one ticket opens one session on any
 * node. Redis bounds their number by their 30 s life and {@code maxmemory}. Thread safe.
 */
final class RedisTicketStore implements TicketStore {

    private final RedisConnections connections;

    RedisTicketStore(RedisConnections connections) {
        this.connections = connections;
    }

    @Override
    public boolean put(String ticket, String payload, Duration ttl) {
        return call("store a ticket", () -> {
            connections.commands().sync().set(RedisKeys.ticket(ticket), payload, SetArgs.Builder.px(ttl.toMillis()));
            return true;
        });
    }

    @Override
    public Optional<String> take(String ticket) {
        return call("take a ticket", () -> Optional.ofNullable(connections.commands().sync().getdel(RedisKeys.ticket(ticket))));
    }

    @Override
    public Optional<String> peek(String ticket) {
        return call("read a ticket", () -> Optional.ofNullable(connections.commands().sync().get(RedisKeys.ticket(ticket))));
    }

    private static <T> T call(String what, Supplier<T> command) {
        try {
            return command.get();
        } catch (RedisException e) {
            throw new ClusterUnavailableException("Redis did not " + what + ": "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip(), e);
        }
    }
}
