package dev.switchboard.broker;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often each abuse limit (docs/security.md "Limits") refused something on this node: a
 * handshake, a subscription, a session's inbound traffic or an API request. Cheap to update from
 * any thread; read by the metrics registry ({@code switchboard_limit_refusals_total{limit=...}}).
 */
public final class LimitRefusals {

    /** The limits, named in metrics by {@link #metricName()}. */
    public enum Limit {
        /** Handshakes per second per client address (429). */
        HANDSHAKE_RATE,
        /** Open sessions per user (429 at the handshake, ERROR at STOMP CONNECT). */
        SESSIONS_PER_USER,
        /** Open sessions per client address (429 at the handshake). */
        SESSIONS_PER_ADDRESS,
        /** Subscriptions per session (native {@code error}, STOMP ERROR). */
        SUBSCRIPTIONS,
        /** Inbound messages or bytes per second per session (close 4029). */
        INBOUND_RATE,
        /** HTTP API requests per second per key (429). */
        API_RATE;

        /** The {@code limit} label value: the name in lower case. */
        public String metricName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Limit, LongAdder> counts = new EnumMap<>(Limit.class);

    public LimitRefusals() {
        for (Limit limit : Limit.values()) {
            counts.put(limit, new LongAdder()); // filled once: read concurrently afterwards, never written
        }
    }

    /** {@code limit} refused one more thing. */
    public void refused(Limit limit) {
        counts.get(limit).increment();
    }

    /** How many times {@code limit} refused so far. */
    public long count(Limit limit) {
        return counts.get(limit).sum();
    }
}
