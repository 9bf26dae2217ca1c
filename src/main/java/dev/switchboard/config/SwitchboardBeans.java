package dev.switchboard.config;

import dev.switchboard.api.Readiness;
import dev.switchboard.api.SwitchboardMetrics;
import dev.switchboard.broker.AccessPolicy;
import dev.switchboard.broker.ApplicationHandler;
import dev.switchboard.broker.ApplicationHandlers;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.BrokerStats;
import dev.switchboard.broker.HistoryPolicy;
import dev.switchboard.broker.MemoryBudget;
import dev.switchboard.broker.RedeliveryPolicy;
import dev.switchboard.broker.RevocationEnforcer;
import dev.switchboard.broker.RevocationList;
import dev.switchboard.broker.InMemorySessionRegistry;
import dev.switchboard.broker.InMemorySubscriptionRegistry;
import dev.switchboard.broker.MessageIds;
import dev.switchboard.broker.SessionRegistry;
import dev.switchboard.broker.SubscriptionRegistry;
import dev.switchboard.security.ApiAuthenticator;
import dev.switchboard.handlers.MappedMethodHandler;
import dev.switchboard.handlers.MessageMappingExtension;
import dev.switchboard.api.ApiGate;
import dev.switchboard.security.ApiRateLimit;
import dev.switchboard.security.HandshakeGuard;
import dev.switchboard.security.SessionAdmission;
import dev.switchboard.session.InboundRate;
import dev.switchboard.security.JsonResponseWriter;
import dev.switchboard.security.HandshakeRateLimiter;
import dev.switchboard.security.OriginPolicy;
import dev.switchboard.security.ProxyTrust;
import dev.switchboard.security.JwksKeys;
import dev.switchboard.security.RoleAccessPolicy;
import dev.switchboard.security.RulesAccessPolicy;
import dev.switchboard.security.TokenAuthenticator;
import dev.switchboard.security.TokenKeys;
import dev.switchboard.security.TokenVerifier;
import dev.switchboard.security.Tickets;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.session.NativeProtocol;
import dev.switchboard.session.SessionLimits;
import dev.switchboard.session.SessionServices;
import dev.switchboard.session.SessionTokens;
import dev.switchboard.broker.SessionEvents;
import dev.switchboard.events.SwitchboardEvent;
import dev.switchboard.webhook.WebhookSender;
import dev.switchboard.webhook.WebhookSignature;
import dev.switchboard.session.StompPayloads;
import dev.switchboard.session.StompProtocol;
import dev.switchboard.session.StompSettings;
import dev.switchboard.session.UserSessionQuota;
import dev.switchboard.sockjs.SockJsMessages;
import dev.switchboard.stomp.StompLimits;
import dev.switchboard.transport.TransportSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Wires the application: every application-wide object is made here, once, from
 * {@link SwitchboardConfig}. Interfaces are {@code @ApplicationScoped} (client proxies are cheap on
 * interfaces); final classes are {@code @Singleton} (no proxy needed, none possible), and so is an
 * interface whose construction must not wait for its first call (a proxy builds the object then).
 */
@Dependent
public class SwitchboardBeans {

    private static final System.Logger LOG = System.getLogger(SwitchboardBeans.class.getName());

    @Produces
    @Singleton
    SwitchboardConfig config() {
        return SwitchboardConfig.from(Settings.fromProcess());
    }

    @Produces
    @Dependent
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @ApplicationScoped
    Jsonb jsonb() {
        return JsonbBuilder.create();
    }

    void closeJsonb(@Disposes Jsonb jsonb) throws Exception {
        jsonb.close();
    }

    @Produces
    @Singleton
    SessionExecutors executors() {
        return new SessionExecutors();
    }

    void closeExecutors(@Disposes SessionExecutors executors) {
        executors.close();
    }

    @Produces
    @ApplicationScoped
    SubscriptionRegistry subscriptionRegistry() {
        return new InMemorySubscriptionRegistry();
    }

    @Produces
    @ApplicationScoped
    SessionRegistry sessionRegistry() {
        return new InMemorySessionRegistry();
    }

    @Produces
    @Singleton
    RedeliveryPolicy redeliveryPolicy(SwitchboardConfig config) {
        SwitchboardConfig.RedeliverySettings acks = config.redelivery();
        return new RedeliveryPolicy(acks.maxAttempts(), Duration.ofMillis(acks.backoffMs()),
                Duration.ofMillis(acks.maxBackoffMs()), acks.inboxSize(), Duration.ofMillis(acks.inboxTtlMs()),
                acks.deadLetters());
    }

    @Produces
    @Singleton
    HistoryPolicy historyPolicy(SwitchboardConfig config) {
        SwitchboardConfig.MemorySettings memory = config.memory();
        return new HistoryPolicy(config.historySize(), Duration.ofMillis(config.historyTtlMs()),
                memory.historyMaxBytes(), Duration.ofMillis(memory.topicIdleMs()));
    }

    /** Single node or cluster, decided here once (see {@link ClusterMode}). */
    @Produces
    @Singleton
    ClusterMode clusterMode(SwitchboardConfig config, Jsonb jsonb, HistoryPolicy history,
            RedeliveryPolicy redelivery) {
        return ClusterMode.choose(config, jsonb, history, redelivery);
    }

    void closeClusterMode(@Disposes ClusterMode mode) {
        mode.close();
    }

    /**
     * The application's observers ({@code @ObservesAsync}, called on the events thread in order)
     * and the webhook sender when {@code SWITCHBOARD_WEBHOOK_URL} is set (docs/events.md).
     */
    @Produces
    @Singleton
    ApplicationEvents applicationEvents(SwitchboardConfig config, Jsonb jsonb, Event<SwitchboardEvent> cdi) {
        SwitchboardConfig.WebhookSettings settings = config.webhook();
        WebhookSender webhook = settings.url()
                .map(url -> new WebhookSender(url, new WebhookSignature(settings.secret().orElseThrow()), jsonb,
                        Duration.ofMillis(settings.retryMs()), settings.queueSize(), settings.batchSize(),
                        Duration.ofMillis(500), Duration.ofSeconds(30)))
                .orElse(null);
        // Observers run inline on the events thread: its queue is what keeps them in order and off the broker.
        NotificationOptions inline = NotificationOptions.ofExecutor(Runnable::run);
        return new ApplicationEvents(event -> cdi.fireAsync(event, inline).whenComplete((fired, failure) -> {
            if (failure != null) {
                LOG.log(System.Logger.Level.WARNING, "An observer of " + event.getClass().getSimpleName() + " failed",
                        failure);
            }
        }), webhook, settings.queueSize());
    }

    void closeApplicationEvents(@Disposes ApplicationEvents events) {
        events.close();
    }

    @Produces
    @Singleton
    Broker broker(SubscriptionRegistry subscriptions, SessionRegistry sessions, ClusterMode cluster,
            HistoryPolicy history, RedeliveryPolicy redelivery, SwitchboardConfig config, Clock clock,
            ApplicationEvents events) {
        // One budget for history and inboxes together: past it, the oldest history goes first.
        MemoryBudget budget = MemoryBudget.ofHeapPercent(config.memory().budgetPercent());
        Broker broker = new Broker(subscriptions, sessions,
                cluster.parts(sessions, subscriptions, config, history, redelivery, budget, clock), new MessageIds(),
                new BrokerStats(), clock, config.nodeId(), history, redelivery, budget);
        cluster.fenceChannelsOf(broker);
        broker.reportEventsTo(new SessionEvents(events, cluster.userOccupancy(), cluster.topicOccupancy(),
                config.nodeId(), clock));
        broker.start();
        return broker;
    }

    @Produces
    @Singleton
    Readiness readiness() {
        return new Readiness();
    }

    /** Five seconds: long enough for peers' close handshakes, short of the usual 10-30 s stop grace periods. */
    @Produces
    @Singleton
    ShutdownDrain shutdownDrain(Broker broker, Readiness readiness) {
        return new ShutdownDrain(broker, readiness, Duration.ofSeconds(5));
    }

    @Produces
    @Singleton
    JsonResponseWriter jsonResponseWriter(Jsonb jsonb) {
        return new JsonResponseWriter(jsonb);
    }

    /**
     * Every {@code @MessageMapping} method of every bean, plus any bean implementing
     * ApplicationHandler directly.
     */
    @Produces
    @Singleton
    ApplicationHandlers applicationHandlers(@Any Instance<ApplicationHandler> handlerBeans,
            MessageMappingExtension mappings, BeanManager beans, Broker broker, Jsonb jsonb) {
        List<ApplicationHandler> handlers = new ArrayList<>();
        handlerBeans.forEach(handlers::add);
        handlers.addAll(MappedMethodHandler.forMappings(mappings, beans, broker, jsonb));
        return new ApplicationHandlers(handlers);
    }

    @Produces
    @Singleton
    NativeFrameCodec nativeFrameCodec(Jsonb jsonb) {
        return new NativeFrameCodec(jsonb);
    }

    @Produces
    @Singleton
    SessionServices sessionServices(Broker broker, ApplicationHandlers handlers, SessionExecutors executors,
            SwitchboardConfig config, Clock clock, AccessPolicy access) {
        SwitchboardConfig.AbuseLimits abuse = config.abuse();
        SessionLimits limits = new SessionLimits(config.outboundMaxBytes(), config.outboundMaxMessages(),
                config.heartbeatMs(), config.maxBadFrames(), config.sendTimeoutMs(), abuse.subscriptionsPerSession(),
                new InboundRate.Allowance(abuse.inboundMessagesPerSecond(), abuse.inboundMessagesBurst(),
                        abuse.inboundBytesPerSecond(), abuse.inboundBytesBurst()));
        return new SessionServices(broker, handlers, access, executors.senders(), executors.scheduler(), clock, limits);
    }

    /**
     * The destination rules: those of SWITCHBOARD_RULES, polled for changes, if set; else the role
     * rules (publisher role, SWITCHBOARD_PUBLISH_OPEN_TOPICS).
     */
    @Produces
    @Singleton // not a proxy: the lifecycle builds it at start, so a bad rules file stops start-up
    AccessPolicy accessPolicy(SwitchboardConfig config, Clock clock, SessionExecutors executors) {
        return accessPolicy(config, clock, executors.scheduler());
    }

    /** The access policy of {@code config}; also what {@link ConfigurationCheck} builds to check the rules file. */
    static AccessPolicy accessPolicy(SwitchboardConfig config, Clock clock, ScheduledExecutorService scheduler) {
        SwitchboardConfig.KeysAndRules files = config.keysAndRules();
        if (files.rulesFile().isEmpty()) {
            return new RoleAccessPolicy(config.publishOpenTopics());
        }
        if (!config.publishOpenTopics().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "SWITCHBOARD_PUBLISH_OPEN_TOPICS is ignored: SWITCHBOARD_RULES decides"
                    + " who may publish");
        }
        try {
            return RulesAccessPolicy.watching(Path.of(files.rulesFile().get()), clock, scheduler,
                    Duration.ofMillis(files.reloadPollMs()));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    NativeProtocol nativeProtocol(SessionServices services, NativeFrameCodec codec, SessionTokens tokens) {
        return new NativeProtocol(services, codec, tokens);
    }

    /** One token check for STOMP's CONNECT and every in-band refresh, native or STOMP: the handshake's. */
    @Produces
    @Singleton
    SessionTokens sessionTokens(TokenVerifier verifier, SwitchboardConfig config) {
        return new SessionTokens(new TokenAuthenticator(verifier),
                Duration.ofMillis(config.tokens().expiringNoticeMs()));
    }

    @Produces
    @Singleton
    StompProtocol stompProtocol(SessionServices services, SessionTokens tokens, Jsonb jsonb,
            SwitchboardConfig config, SessionAdmission admission) {
        StompSettings settings = new StompSettings(
                new StompLimits(config.maxMessageBytes(), StompLimits.DEFAULT.maxHeaders(),
                        StompLimits.DEFAULT.maxHeaderLineBytes()),
                config.channelPolicy(), config.stompMaxDeliveries(), Duration.ofMillis(config.stompAckTimeoutMs()),
                Duration.ofSeconds(1), "Switchboard/" + productVersion());
        // STOMP names its user in CONNECT: the per-user limit is taken there (the handshake took the address's).
        UserSessionQuota userSessions = user -> admission.admit(user, null)
                instanceof SessionAdmission.Admission.Admitted admitted ? admitted.lease()::release : null;
        return new StompProtocol(services, tokens, new StompPayloads(jsonb), settings, userSessions);
    }

    private static String productVersion() {
        Properties properties = new Properties();
        try (InputStream in = SwitchboardBeans.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "dev");
    }

    @Produces
    @Singleton
    SockJsMessages sockJsMessages() {
        return new SockJsMessages();
    }

    @Produces
    @Singleton
    TransportSettings transportSettings(SwitchboardConfig config) {
        return new TransportSettings(config.maxMessageBytes(), config.sendTimeoutMs());
    }

    /**
     * The revocations, enforced from the moment they exist: this node's sessions that a revocation
     * covers are closed when it is announced, and by a sweep every {@link #REVOCATION_SWEEP}. A
     * singleton, not a proxied application-scoped bean: it is built (in cluster mode: loaded from
     * Redis and subscribed to its announcements) with the token verifier at start-up, not at the
     * first handshake, which may come while Redis is out of reach.
     */
    @Produces
    @Singleton
    RevocationList revocations(ClusterMode cluster, Clock clock, SessionRegistry sessions, SessionExecutors executors) {
        RevocationList revocations = cluster.revocations(clock);
        new RevocationEnforcer(sessions, revocations).start(executors.scheduler(), REVOCATION_SWEEP);
        return revocations;
    }

    private static final Duration REVOCATION_SWEEP = Duration.ofSeconds(5);

    @Produces
    @Singleton
    Tickets tickets(ClusterMode cluster, TokenVerifier verifier, Clock clock) {
        return new Tickets(cluster.tickets(clock), verifier, clock);
    }

    @Produces
    @Singleton
    TokenVerifier tokenVerifier(SwitchboardConfig config, Clock clock, SessionExecutors executors,
            RevocationList revocations) {
        return new TokenVerifier(tokenKeys(config, clock, executors.scheduler()), config.jwtIssuer().orElse(null),
                config.jwtAudience().orElse(null), clock, Duration.ofMillis(config.tokens().maxLifetimeMs()),
                revocations);
    }

    /**
     * The verification keys of {@code config}; also what {@link ConfigurationCheck} builds to check
     * them (a JWKS URL is not fetched until a token needs it).
     *
     * @throws ConfigurationException naming the setting, if a key is missing, unreadable or invalid
     */
    static TokenKeys tokenKeys(SwitchboardConfig config, Clock clock, ScheduledExecutorService scheduler) {
        try {
            var secret = config.jwtSecret().map(TokenKeys::hmacSecret).orElse(null);
            var publicKey = config.jwtPublicKeyFile().map(SwitchboardBeans::readPem).map(TokenKeys::publicKeyFromPem)
                    .orElse(null);
            return new TokenKeys(secret, publicKey, jwks(config, clock, scheduler));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), e);
        }
    }

    /** The JWKS of SWITCHBOARD_JWT_JWKS, or null: a URL fetched and cached by nimbus, or a file polled for changes. */
    private static JwksKeys jwks(SwitchboardConfig config, Clock clock, ScheduledExecutorService scheduler) {
        SwitchboardConfig.KeysAndRules files = config.keysAndRules();
        if (files.jwks().isEmpty()) {
            return null;
        }
        if (files.jwksIsUrl()) {
            try {
                return JwksKeys.fromUrl(java.net.URI.create(files.jwks().get()).toURL(),
                        Duration.ofMillis(files.jwksCacheMs()));
            } catch (java.net.MalformedURLException e) {
                throw new ConfigurationException("SWITCHBOARD_JWT_JWKS is not a valid URL: " + e.getMessage(), e);
            }
        }
        // An IllegalArgumentException from here becomes the caller's ConfigurationException.
        return JwksKeys.watchingFile(Path.of(files.jwks().get()), clock, scheduler,
                Duration.ofMillis(files.reloadPollMs()));
    }

    private static String readPem(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new ConfigurationException("SWITCHBOARD_JWT_PUBLIC_KEY file " + file + " cannot be read ("
                    + problem(e) + "); set it to a PEM public key file that this user can read", e);
        }
    }

    /** What went wrong with a file, in a few words (the exception's own text repeats the path). */
    static String problem(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Produces
    @Singleton
    HandshakeGuard handshakeGuard(TokenVerifier verifier, Broker broker, SwitchboardConfig config,
            Clock clock, Readiness readiness, SessionAdmission admission, Tickets tickets) {
        SwitchboardConfig.AbuseLimits abuse = config.abuse();
        return new HandshakeGuard(
                new HandshakeRateLimiter(config.handshakeRatePerSecond(), config.handshakeBurst(), clock),
                new OriginPolicy(config.allowedOrigins(), abuse.publicOrigins()), verifier, broker,
                config.channelPolicy(), readiness::isReady, admission, broker.stats().limitRefusals(), tickets);
    }

    /** Open sessions per user and per client address on this node (the handshake and STOMP CONNECT share it). */
    @Produces
    @Singleton
    SessionAdmission sessionAdmission(SwitchboardConfig config, Broker broker) {
        SwitchboardConfig.AbuseLimits abuse = config.abuse();
        return new SessionAdmission(abuse.sessionsPerUser(), abuse.sessionsPerAddress(), broker.stats().limitRefusals());
    }

    /** The HTTP API's requests per second per key (API key, token subject, or client address). */
    @Produces
    @Singleton
    ApiRateLimit apiRateLimit(SwitchboardConfig config, Broker broker, Clock clock) {
        SwitchboardConfig.AbuseLimits abuse = config.abuse();
        return new ApiRateLimit(new HandshakeRateLimiter(abuse.apiRatePerSecond(), abuse.apiBurst(), clock),
                abuse.apiRatePerSecond(), broker.stats().limitRefusals());
    }

    /** Authentication and the per-caller rate that every API servlet applies first. */
    @Produces
    @Singleton
    ApiGate apiGate(ApiAuthenticator authenticator, ApiRateLimit rateLimit, ProxyTrust proxies,
            JsonResponseWriter responses) {
        return new ApiGate(authenticator, rateLimit, proxies, responses);
    }

    @Produces
    @Singleton
    ProxyTrust proxyTrust(SwitchboardConfig config) {
        return new ProxyTrust(config.trustedProxies());
    }

    @Produces
    @Singleton
    ApiAuthenticator apiAuthenticator(SwitchboardConfig config, TokenVerifier verifier) {
        return new ApiAuthenticator(config.apiKey().orElse(null), verifier);
    }

    @Produces
    @Singleton
    PrometheusMeterRegistry meterRegistry(Broker broker) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SwitchboardMetrics.bind(registry, broker);
        return registry;
    }

    void closeMeterRegistry(@Disposes PrometheusMeterRegistry registry) {
        registry.close();
    }
}
