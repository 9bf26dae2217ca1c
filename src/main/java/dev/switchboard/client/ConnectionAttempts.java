package dev.switchboard.client;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

/**
 * How a {@link SwitchboardClient} opens connections and when it tries again: the channel's
 * address, the token of each attempt, whether a failure or close is worth retrying (with a new
 * token where the old one was refused), and the backoff timer of the next attempt. What an attempt
 * leads to is the state machine's business ({@link ClientStateMachine}).
 *
 * <p>Event thread only (the token supplier is called there too, as the Builder documents).
 */
final class ConnectionAttempts {

    private final URI endpoint;
    private final String channelId;
    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final Supplier<String> tokens;
    private final Supplier<WebSocketContainer> containers;
    private final Backoff backoff;
    private final EventLoop events;
    /** A token fetched to decide whether to retry after 1008/401, used by the next attempt. */
    private String nextToken;
    /** The scheduled next attempt, or null. */
    private ScheduledFuture<?> scheduled;

    /**
     * @param endpoint the channel endpoint, from {@link #channelEndpoint}
     */
    ConnectionAttempts(URI endpoint, String channelId, Supplier<String> tokens, Supplier<WebSocketContainer> containers,
            Backoff backoff, EventLoop events) {
        this.endpoint = endpoint;
        this.channelId = channelId;
        this.tokens = tokens;
        this.containers = containers;
        this.backoff = backoff;
        this.events = events;
    }

    /**
     * The token of the attempt starting now: the one fetched while deciding to retry, else a new
     * one from the supplier.
     *
     * @throws RuntimeException if the supplier failed or returned null (e.g. the token service is down)
     */
    String tokenForAttempt() {
        String token = nextToken != null ? nextToken : Objects.requireNonNull(tokens.get(), "token supplier returned null");
        nextToken = null;
        return token;
    }

    /** Opens {@code connection} with its token; the container reports the outcome to the connection. */
    void open(Connection connection) throws DeploymentException, IOException {
        containers.get().connectToServer(connection, ClientEndpointConfig.Builder.create().build(),
                channelUri(connection.token()));
    }

    /**
     * Whether to try again after {@code decision}, for an attempt that used {@code usedToken}. For
     * {@link RetryDecision#RETRY_WITH_NEW_TOKEN} it asks the supplier and retries only with a token
     * different from the refused one, which the next attempt then uses.
     */
    boolean shouldRetry(RetryDecision decision, String usedToken) {
        if (decision == RetryDecision.STOP) {
            return false;
        }
        if (decision == RetryDecision.RETRY_WITH_NEW_TOKEN) {
            String fresh;
            try {
                fresh = tokens.get();
            } catch (RuntimeException e) {
                return true; // the supplier may recover: the next attempt asks it again
            }
            if (fresh == null || fresh.equals(usedToken)) {
                return false;
            }
            nextToken = fresh;
        }
        return true;
    }

    /**
     * A token to refresh the open session with, when the server says that {@code current} is
     * expiring: the supplier's, if it gives one and it differs from {@code current}; else null
     * (a fixed token, or the token service is down: the session runs out and the client reconnects
     * as after any 1008 close).
     */
    String tokenForRefresh(String current) {
        String fresh;
        try {
            fresh = tokens.get();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "the token supplier failed when the token was expiring: {0}", e.toString());
            return null;
        }
        return fresh == null || fresh.equals(current) ? null : fresh;
    }

    /**
     * Runs {@code attempt} on the event thread after the next backoff delay. False if the executor
     * refused it because it is shutting down (close() is under way).
     */
    boolean scheduleNext(Runnable attempt) {
        try {
            scheduled = events.schedule(attempt, backoff.nextDelay());
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** The scheduled attempt is running: nothing left to cancel. */
    void scheduledAttemptStarted() {
        scheduled = null;
    }

    void cancelScheduled() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }

    /** A connection was established (or connect() starts afresh): the next delay is the initial one. */
    void resetBackoff() {
        backoff.reset();
    }

    /**
     * The native channel endpoint of the server at {@code base}: {@code ws://host:port} plus the
     * context root, if any; {@code http(s)} works too.
     */
    static URI channelEndpoint(URI base) {
        String text = base.toString();
        if (text.startsWith("http://") || text.startsWith("https://")) {
            text = "ws" + text.substring(4);
        }
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text + "/ws/channel");
    }

    private URI channelUri(String token) {
        return URI.create(endpoint + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&channelId="
                + URLEncoder.encode(channelId, StandardCharsets.UTF_8));
    }
}
