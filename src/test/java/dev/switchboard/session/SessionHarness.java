package dev.switchboard.session;

import dev.switchboard.MutableClock;
import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerStats;
import dev.switchboard.broker.ChannelClaim;
import dev.switchboard.broker.ChannelHolder;
import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.broker.ChannelRegistry;
import dev.switchboard.broker.ChannelReservation;
import dev.switchboard.broker.ClientAuthenticator;
import dev.switchboard.broker.ClientIdentity;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.InMemoryChannelRegistry;
import dev.switchboard.broker.InMemoryInbox;
import dev.switchboard.broker.InMemorySessionRegistry;
import dev.switchboard.broker.InMemorySubscriptionRegistry;
import dev.switchboard.broker.MemoryBudget;
import dev.switchboard.broker.MessageIds;
import dev.switchboard.broker.RedeliveryPolicy;
import dev.switchboard.broker.Subscriber;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.stomp.StompLimits;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;

/**
 * The real session collaborators, wired as the application wires them, for session tests: a
 * {@link Broker} over the in-memory registries, {@link SessionServices} whose outbound queues send
 * inline (so a close reaches the sink, and the sink's {@code ended()}, on the thread that closed),
 * a real scheduler whose queue shows the timers left behind, and both protocols. Every client is
 * "alice" and authenticated; the channel policy is {@code replace}.
 *
 * <p>The channel registry is the in-memory one behind a seam that can run a test's code right after
 * a successful bind, on the binding thread: that is how a test places a REPLACE exactly between a
 * session's registration with the broker and the end of its opening. The access policy has a
 * similar seam inside SUBSCRIBE ({@link #beforeNextSubscribe}).
 */
final class SessionHarness implements AutoCloseable {

    static final String USER = "alice";
    /** How long before a token's exp the sessions send their expiring notice. */
    static final Duration EXPIRING_NOTICE = Duration.ofSeconds(60);
    private static final Executor INLINE = Runnable::run;

    final MutableClock clock = MutableClock.atFixedInstant();
    /** Cancelled timers leave its queue at once, so the queue's size is the number of live timers. */
    final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    final HookedChannelRegistry channels = new HookedChannelRegistry(
            new InMemoryChannelRegistry(clock, Duration.ofSeconds(30)));
    final Broker broker;
    final StompProtocol stomp;
    final NativeProtocol nativeProtocol;
    private final Jsonb jsonb = JsonbBuilder.create();
    private final AtomicReference<Runnable> beforeNextSubscribe = new AtomicReference<>();
    /**
     * Checks the tokens of CONNECT and of refreshes; by default every token is alice's, valid for
     * an hour. Tests of refresh put their own here.
     */
    final AtomicReference<ClientAuthenticator> authenticator = new AtomicReference<>();
    /** Who may subscribe to what; everyone to everything unless a test says otherwise. */
    final AtomicReference<BiPredicate<ClientIdentity, String>> subscribeRule = new AtomicReference<>((c, t) -> true);

    SessionHarness() {
        scheduler.setRemoveOnCancelPolicy(true);
        RedeliveryPolicy acks = new RedeliveryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(2), 10,
                Duration.ofDays(1), 5);
        MemoryBudget budget = new MemoryBudget(Long.MAX_VALUE);
        broker = new Broker(new InMemorySubscriptionRegistry(), new InMemorySessionRegistry(), channels,
                new MessageIds(), new BrokerStats(), clock, "node-1", "epoch-1", new HistoryPolicy(10, Duration.ofMinutes(1)),
                new InMemoryInbox(acks, budget), acks, budget);
        AccessPolicy everything = new AccessPolicy() {
            @Override
            public boolean mayPublish(ClientIdentity client, String topic) {
                return true;
            }

            @Override
            public boolean maySubscribe(ClientIdentity client, String topic) {
                Runnable action = beforeNextSubscribe.getAndSet(null);
                if (action != null) {
                    action.run();
                }
                return subscribeRule.get().test(client, topic);
            }
        };
        // A long WebSocket heart-beat: the liveness timer is there (and must be cancelled) but never fires.
        SessionLimits limits = new SessionLimits(1_000_000, 1_000, 600_000, 5, 0);
        SessionServices services = new SessionServices(broker, new ApplicationHandlers(List.of()), everything,
                SendExecutors.both(INLINE), scheduler, clock, limits);
        authenticator.set((token, channelId) -> new ClientAuthenticator.Result.Authenticated(identity(channelId)));
        SessionTokens tokens = new SessionTokens((token, channelId) -> authenticator.get().authenticate(token, channelId),
                EXPIRING_NOTICE);
        stomp = new StompProtocol(services, tokens, new StompPayloads(jsonb), new StompSettings(
                StompLimits.DEFAULT, ChannelPolicy.REPLACE, 3, Duration.ofSeconds(30), Duration.ofMillis(1_000), "test"));
        nativeProtocol = new NativeProtocol(services, new NativeFrameCodec(jsonb), tokens);
    }

    /** Alice on {@code channelId}, with a token valid for an hour (so a token-expiry timer is scheduled). */
    ClientIdentity identity(String channelId) {
        return new ClientIdentity(USER, Set.of(), channelId, clock.instant().plus(Duration.ofHours(1)));
    }

    /**
     * Runs {@code action} once, on the subscribing thread, when the next SUBSCRIBE asks the access
     * policy: after the session checked that it is open, before it registers the subscription.
     */
    void beforeNextSubscribe(Runnable action) {
        beforeNextSubscribe.set(action);
    }

    /** A STOMP 1.2 CONNECT for {@code channelId} asking for heart-beats both ways (so both timers start). */
    static ByteBuffer connectFrame(String channelId) {
        String frame = "CONNECT\naccept-version:1.2\nhost:test\npasscode:token\nchannelId:" + channelId
                + "\nheart-beat:60000,60000\n\n\0";
        return ByteBuffer.wrap(frame.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuffer frame(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Timers still scheduled: heart-beats, token expiries, liveness pings of sessions not yet ended. */
    int liveTimers() {
        return scheduler.getQueue().size();
    }

    @Override
    public void close() throws Exception {
        scheduler.shutdownNow();
        jsonb.close();
    }

    /** The in-memory registry, plus a hook that runs once, right after the next successful bind. */
    static final class HookedChannelRegistry implements ChannelRegistry {
        private final ChannelRegistry delegate;
        private final AtomicReference<Runnable> afterNextBind = new AtomicReference<>();

        HookedChannelRegistry(ChannelRegistry delegate) {
            this.delegate = delegate;
        }

        /** Runs {@code action} on the binding thread right after the next bind that succeeds. */
        void afterNextBind(Runnable action) {
            afterNextBind.set(action);
        }

        @Override
        public ChannelClaim claim(String channelId, String user, String nodeId, ChannelPolicy policy) {
            return delegate.claim(channelId, user, nodeId, policy);
        }

        @Override
        public boolean bind(ChannelReservation reservation, String sessionId) {
            boolean bound = delegate.bind(reservation, sessionId);
            Runnable action = bound ? afterNextBind.getAndSet(null) : null;
            if (action != null) {
                action.run();
            }
            return bound;
        }

        @Override
        public void cancel(ChannelReservation reservation) {
            delegate.cancel(reservation);
        }

        @Override
        public void release(String channelId, String sessionId) {
            delegate.release(channelId, sessionId);
        }

        @Override
        public boolean reassert(ChannelHolder holder) {
            return delegate.reassert(holder);
        }

        @Override
        public Optional<ChannelHolder> holder(String channelId) {
            return delegate.holder(channelId);
        }

        @Override
        public List<ChannelHolder> openChannels() {
            return delegate.openChannels();
        }
    }
}
