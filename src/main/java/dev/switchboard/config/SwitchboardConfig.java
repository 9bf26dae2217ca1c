package dev.switchboard.config;

import dev.switchboard.broker.ChannelPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting, typed and validated (docs/configuration.md lists them).
 * Built once at start-up; an invalid value stops the application with a message naming it.
 */
public record SwitchboardConfig(
        int port,
        Optional<String> jwtSecret,
        Optional<String> jwtPublicKeyFile,
        Optional<String> jwtIssuer,
        Optional<String> jwtAudience,
        Optional<String> apiKey,
        List<String> allowedOrigins,
        ChannelPolicy channelPolicy,
        int maxMessageBytes,
        int historySize,
        long heartbeatMs,
        Optional<String> redisUri,
        String nodeId,
        long outboundMaxBytes,
        int outboundMaxMessages,
        long sendTimeoutMs,
        double handshakeRatePerSecond,
        double handshakeBurst,
        List<String> publishOpenTopics,
        int maxBadFrames,
        int apiMaxBodyBytes,
        int stompMaxDeliveries,
        long stompAckTimeoutMs,
        long historyTtlMs,
        MemorySettings memory,
        RedeliverySettings redelivery,
        List<String> trustedProxies,
        SockJsLimits sockJs,
        KeysAndRules keysAndRules,
        AbuseLimits abuse,
        TokenSettings tokens,
        WebhookSettings webhook) {

    /**
     * Webhooks (docs/events.md, Webhooks): where events are POSTed, the HMAC key that signs them,
     * how long a batch is retried, how many events may wait, and the largest batch. No URL, no
     * webhooks.
     */
    public record WebhookSettings(Optional<java.net.URI> url, Optional<String> secret, long retryMs, int queueSize,
            int batchSize) {

        static WebhookSettings from(Settings settings) {
            Optional<java.net.URI> url = settings.get("webhook.url").map(WebhookSettings::url);
            Optional<String> secret = settings.get("webhook.secret");
            if (url.isPresent() && secret.isEmpty()) {
                throw new ConfigurationException(Settings.environmentName("webhook.url") + " needs "
                        + Settings.environmentName("webhook.secret") + ", the key that signs each request");
            }
            return new WebhookSettings(url, secret,
                    longValue(settings, "webhook.retry.ms", 300_000, 0, 7L * 24 * 3_600_000),
                    intValue(settings, "webhook.queue.size", 10_000, 1, 10_000_000),
                    intValue(settings, "webhook.batch.size", 100, 1, 10_000));
        }

        private static java.net.URI url(String value) {
            java.net.URI uri;
            try {
                uri = java.net.URI.create(value);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getHost() == null) {
                throw new ConfigurationException(Settings.environmentName("webhook.url")
                        + " must be an http or https URL, not '" + value + "'");
            }
            return uri;
        }
    }

    /**
     * What may stay in memory (docs/configuration.md; docs/protocol.md, Delivery guarantees): topic history per
     * topic in bytes, how long an unused topic without subscribers or history is remembered, and
     * the share of the heap that history and inboxes may hold together.
     */
    public record MemorySettings(long historyMaxBytes, long topicIdleMs, int budgetPercent) {
    }

    /** Acknowledged delivery (docs/protocol.md, Delivery guarantees); settings in docs/configuration.md. */
    public record RedeliverySettings(int maxAttempts, long backoffMs, long maxBackoffMs, int inboxSize, long inboxTtlMs,
            int deadLetters) {
    }


    /**
     * SockJS sessions over HTTP (docs/sockjs.md): how long one may go without a receiving request, and
     * the bytes a streaming response carries before the client is made to open a new one.
     */
    public record SockJsLimits(long disconnectDelayMs, int streamBytes) {
    }

    /**
     * Tokens over their life (docs/security.md): the longest lifetime a token may have, which is
     * also how long a revocation counts by default, and how long before a session's token expires
     * the session is told so ("Token refresh and expiry").
     */
    public record TokenSettings(long maxLifetimeMs, long expiringNoticeMs) {
    }

    /**
     * What one client may take (docs/security.md "Limits"); 0 turns a limit off. Sessions are counted
     * per node. Inbound rates are token buckets: {@code *PerSecond} refills, {@code *Burst} is the
     * bucket; a session that empties one is closed with 4029. {@code publicOrigins}, when not
     * empty, is what the same-origin check compares {@code Origin} with instead of {@code Host}.
     */
    public record AbuseLimits(int sessionsPerUser, int sessionsPerAddress, int subscriptionsPerSession,
            double inboundMessagesPerSecond, double inboundMessagesBurst, double inboundBytesPerSecond,
            double inboundBytesBurst, double apiRatePerSecond, double apiBurst, List<String> publicOrigins) {
    }

    /**
     * Files and URLs read again while running (docs/security.md "Keys and rotation", "Destination
     * rules"): the JWKS (a file path or an https URL; http only to a loopback address), the rules
     * file, how often files are polled for changes, and how long keys fetched from a JWKS URL are
     * used before they are fetched again.
     */
    public record KeysAndRules(Optional<String> jwks, Optional<String> rulesFile, long reloadPollMs, long jwksCacheMs) {

        static KeysAndRules from(Settings settings) {
            Optional<String> jwks = settings.get("jwt.jwks");
            jwks.ifPresent(KeysAndRules::checkJwks);
            return new KeysAndRules(jwks, settings.get("rules"),
                    longValue(settings, "reload.poll.ms", 2_000, 100, 3_600_000),
                    longValue(settings, "jwt.jwks.cache.ms", 300_000, 1_000, 24 * 3_600_000L));
        }

        /** Whether the JWKS setting names a URL rather than a file. */
        public boolean jwksIsUrl() {
            return jwks.map(value -> value.contains("://")).orElse(false);
        }

        private static void checkJwks(String value) {
            if (!value.contains("://")) {
                return; // a file: read (and checked) when the verifier is built
            }
            java.net.URI uri;
            try {
                uri = new java.net.URI(value);
            } catch (java.net.URISyntaxException e) {
                throw new ConfigurationException("SWITCHBOARD_JWT_JWKS is not a valid URL: " + e.getMessage(), e);
            }
            String host = String.valueOf(uri.getHost());
            boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
            if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
                // Keys fetched over plain HTTP could be swapped by anyone on the path.
                throw new ConfigurationException("SWITCHBOARD_JWT_JWKS must be an https URL (http only for localhost)"
                        + " or a file path, not " + uri.getScheme() + "://" + host);
            }
        }
    }

    public static SwitchboardConfig from(Settings settings) {
        return new SwitchboardConfig(
                intValue(settings, "port", 8080, 0, 65535),
                settings.get("jwt.secret"),
                settings.get("jwt.public-key"),
                settings.get("jwt.issuer"),
                settings.get("jwt.audience"),
                settings.get("api.key"),
                allowedOrigins(settings),
                enumValue(settings, "channel.policy", ChannelPolicy.REJECT, ChannelPolicy::valueOf),
                intValue(settings, "max.message.bytes", 65536, 16, 16 * 1024 * 1024),
                intValue(settings, "history.size", 1000, 0, 10_000_000),
                longValue(settings, "heartbeat.ms", 25_000, 1_000, 3_600_000),
                settings.get("redis.uri"),
                settings.get("node.id").orElseGet(SwitchboardConfig::defaultNodeId),
                longValue(settings, "outbound.max.bytes", 4L * 1024 * 1024, 1024, Long.MAX_VALUE),
                intValue(settings, "outbound.max.messages", 10_000, 1, Integer.MAX_VALUE),
                longValue(settings, "send.timeout.ms", 10_000, 100, 3_600_000),
                doubleValue(settings, "handshake.rate", 100),
                doubleValue(settings, "handshake.burst", 500),
                list(settings, "publish.open.topics"),
                intValue(settings, "max.bad.frames", 10, 1, Integer.MAX_VALUE),
                1024 * 1024,
                intValue(settings, "stomp.max.deliveries", 3, 1, 100),
                longValue(settings, "stomp.ack.timeout.ms", 30_000, 100, 3_600_000),
                longValue(settings, "history.ttl.ms", 3_600_000, 1_000, 30L * 24 * 3_600_000),
                new MemorySettings(
                        longValue(settings, "history.max.bytes", 16L * 1024 * 1024, 1024, 1L << 40),
                        longValue(settings, "topic.idle.ms", 60_000, 0, 30L * 24 * 3_600_000),
                        intValue(settings, "memory.budget.percent", 25, 1, 90)),
                new RedeliverySettings(
                        intValue(settings, "ack.max.attempts", 5, 1, 1000),
                        longValue(settings, "ack.backoff.ms", 1_000, 10, 3_600_000),
                        longValue(settings, "ack.backoff.max.ms", 60_000, 10, 24 * 3_600_000L),
                        intValue(settings, "inbox.size", 1000, 1, 1_000_000),
                        longValue(settings, "inbox.ttl.ms", 24 * 3_600_000L, 1_000, 30L * 24 * 3_600_000),
                        intValue(settings, "dead.letters", 100, 0, 1_000_000)),
                list(settings, "trusted.proxies"),
                new SockJsLimits(
                        longValue(settings, "sockjs.disconnect.delay.ms", 5_000, 100, 3_600_000),
                        intValue(settings, "sockjs.stream.bytes", 128 * 1024, 1024, 64 * 1024 * 1024)),
                KeysAndRules.from(settings),
                new AbuseLimits(
                        intValue(settings, "max.sessions.per.user", 100, 0, Integer.MAX_VALUE),
                        intValue(settings, "max.sessions.per.address", 1000, 0, Integer.MAX_VALUE),
                        intValue(settings, "max.subscriptions.per.session", 1000, 0, Integer.MAX_VALUE),
                        doubleValue(settings, "inbound.rate", 1000),
                        doubleValue(settings, "inbound.burst", 2000),
                        doubleValue(settings, "inbound.bytes.rate", 1024 * 1024),
                        doubleValue(settings, "inbound.bytes.burst", 4 * 1024 * 1024),
                        doubleValue(settings, "api.rate", 1000),
                        doubleValue(settings, "api.burst", 2000),
                        publicOrigins(settings)),
                new TokenSettings(
                        longValue(settings, "token.max.lifetime.ms", 24 * 3_600_000L, 60_000, 366L * 24 * 3_600_000),
                        longValue(settings, "token.expiring.notice.ms", 60_000, 0, 24 * 3_600_000L)),
                WebhookSettings.from(settings));
    }

    /** {@code SWITCHBOARD_PUBLIC_ORIGIN}: origins as {@code scheme://host[:port]}, nothing more. */
    private static List<String> publicOrigins(Settings settings) {
        List<String> origins = list(settings, "public.origin");
        for (String origin : origins) {
            if (!isOrigin(origin)) {
                throw new ConfigurationException(Settings.environmentName("public.origin")
                        + " must be a comma list of origins such as https://push.example.com, not '" + origin + "'");
            }
        }
        return origins;
    }

    /**
     * {@code SWITCHBOARD_ALLOWED_ORIGINS}: {@code *}, or origins as {@code scheme://host[:port]}. A
     * browser's {@code Origin} never has a path, so an entry that is not an origin (a typo, another
     * separator than a comma) could never match: it is refused rather than silently useless.
     */
    private static List<String> allowedOrigins(Settings settings) {
        List<String> origins = list(settings, "allowed.origins");
        for (String origin : origins) {
            if (!origin.equals("*") && !isOrigin(origin)) {
                throw new ConfigurationException(Settings.environmentName("allowed.origins") + " has '" + origin
                        + "', which is not an origin; set a comma-separated list such as"
                        + " https://app.example.com,https://admin.example.com (or * for any origin)");
            }
        }
        return origins;
    }

    /** Whether {@code text} is an http(s) origin: scheme, host, optional port, no path or query. */
    private static boolean isOrigin(String text) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(text);
        } catch (IllegalArgumentException e) {
            return false; // not even a URI: the caller names the setting and the value
        }
        return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
    }

    /** Host name plus a random suffix, so two nodes on one host still differ. */
    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        return host + "-" + Integer.toString(new SecureRandom().nextInt(36 * 36 * 36 * 36), 36);
    }

    private static int intValue(Settings settings, String key, int defaultValue, int min, int max) {
        return (int) longValue(settings, key, defaultValue, min, max);
    }

    private static long longValue(Settings settings, String key, long defaultValue, long min, long max) {
        String range = "a whole number from " + min + " to " + max;
        long value = settings.get(key).map(v -> parse(key, v, Long::parseLong, range)).orElse(defaultValue);
        if (value < min || value > max) {
            throw new ConfigurationException(Settings.environmentName(key) + " must be between " + min + " and " + max
                    + ", not " + value);
        }
        return value;
    }

    private static double doubleValue(Settings settings, String key, double defaultValue) {
        double value = settings.get(key).map(v -> parse(key, v, Double::parseDouble, "a number >= 0"))
                .orElse(defaultValue);
        if (!(value >= 0) || Double.isInfinite(value)) { // also refuses NaN
            throw new ConfigurationException(Settings.environmentName(key) + " must be a finite number >= 0, not "
                    + value);
        }
        return value;
    }

    private static <E extends Enum<E>> E enumValue(Settings settings, String key, E defaultValue,
            Function<String, E> valueOf) {
        String choices = Arrays.stream(defaultValue.getDeclaringClass().getEnumConstants()).map(Enum::name)
                .map(name -> name.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(" or "));
        return settings.get(key).map(v -> parse(key, v.toUpperCase(Locale.ROOT), valueOf, choices))
                .orElse(defaultValue);
    }

    private static List<String> list(Settings settings, String key) {
        return settings.get(key)
                .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    /** {@code expected} says what a valid value is, so that the message also says how to fix it. */
    private static <T> T parse(String key, String value, Function<String, T> parser, String expected) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("Invalid value for " + Settings.environmentName(key) + ": '" + value
                    + "'; set " + expected, e);
        }
    }

    /** Settings that are secrets, never to be logged. */
    @Override
    public String toString() {
        return "SwitchboardConfig[port=" + port + ", node=" + nodeId + ", channelPolicy=" + channelPolicy
                + ", hs256=" + jwtSecret.isPresent() + ", publicKey=" + jwtPublicKeyFile.orElse("none")
                + ", jwks=" + keysAndRules.jwks().isPresent() + ", rules=" + keysAndRules.rulesFile().orElse("none")
                + ", apiKey=" + apiKey.isPresent() + ", allowedOrigins=" + allowedOrigins
                + ", maxMessageBytes=" + maxMessageBytes + ", heartbeatMs=" + heartbeatMs
                + ", redis=" + redisUri.isPresent() + ", webhook=" + webhook.url().isPresent() + "]";
    }
}
