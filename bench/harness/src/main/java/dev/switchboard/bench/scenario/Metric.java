package dev.switchboard.bench.scenario;

/** Every figure the suite reports, with its unit and which way is better. */
public enum Metric {
    HANDSHAKES_PER_S("handshakes/s with JWT", "/s", true),
    HEAP_PER_SESSION("heap per idle subscribed session", "KB", false),
    RSS_PER_SESSION("RSS per idle subscribed session", "KB", false),
    THREADS_IDLE("threads with N sessions", "", false),
    FANOUT_DELIVERIES_PER_S("fan-out deliveries/s (max)", "/s", true),
    SATURATED_DELIVERIES_PER_S("fan-out deliveries/s, saturating publisher", "/s", true),
    DELIVERIES_PER_CPU_S("deliveries per server CPU-second", "", true),
    SERVER_CPU_PERCENT("server CPU at max fan-out", "%", false),
    LATENCY_P50_MS("latency p50", "ms", false),
    LATENCY_P99_MS("latency p99", "ms", false),
    LATENCY_P999_MS("latency p99.9", "ms", false),
    COMPLETE_P99_MS("until the last subscriber had it, p99", "ms", false),
    SPREAD_P99_MS("spread first to last arrival, p99", "ms", false),
    SLOW_HEALTHY_P50_MS("latency p50 of the others, with slow consumers", "ms", false),
    SLOW_HEALTHY_P99_MS("latency p99 of the others, with slow consumers", "ms", false),
    SLOW_HEALTHY_P999_MS("latency p99.9 of the others, with slow consumers", "ms", false),
    SLOW_STALLED("slow consumers (stopped reading)", "", false),
    SLOW_CLOSED("slow consumers closed by Switchboard (4008, from /api/v1/stats)", "", true),
    CHURN_P50_MS("latency p50 of stable subscribers, with churn", "ms", false),
    CHURN_P99_MS("latency p99 of stable subscribers, with churn", "ms", false),
    CHURN_P999_MS("latency p99.9 of stable subscribers, with churn", "ms", false),
    CHURN_P99_VS_BASELINE("p99 with churn / p99 without", "x", false),
    CHURN_LIVES_PER_S("churn: connect-subscribe-close lives completed", "/s", true),
    OVERLOAD_DELIVERED_SHARE("overload: deliveries/s as a share of the maximum", "x", true),
    OVERLOAD_P50_MS("overload: latency p50", "ms", false),
    OVERLOAD_P99_MS("overload: latency p99", "ms", false),
    OVERLOAD_P999_MS("overload: latency p99.9", "ms", false),
    OVERLOAD_CLOSED("overload: subscribers closed by the server", "", false),
    OVERLOAD_DRAIN_S("overload: time to drain the backlog afterwards", "s", false),
    SLOW_P99_VS_BASELINE("p99 of the others with slow consumers / p99 without", "x", false),
    LATENCY_RATE_PER_S("deliveries/s during the latency window", "/s", true),
    HTTP_LATENCY_P50_MS("latency p50, HTTP API publisher", "ms", false),
    HTTP_LATENCY_P99_MS("latency p99, HTTP API publisher", "ms", false),
    HTTP_LATENCY_P999_MS("latency p99.9, HTTP API publisher", "ms", false),
    PUSH_P50_MS("per-user push via HTTP API, latency p50", "ms", false),
    PUSH_P99_MS("per-user push via HTTP API, latency p99", "ms", false),
    PUSH_P999_MS("per-user push via HTTP API, latency p99.9", "ms", false),
    PUSH_OFFERED_PER_S("per-user pushes/s offered", "/s", true),
    PUSH_ACHIEVED_PER_S("per-user pushes/s sent", "/s", true),
    PUSH_REQUEST_MS("per-user push request, mean", "ms", false),
    HTTP_REQUEST_MS("HTTP publish request, mean", "ms", false),
    HTTP_PUBLISHED_PER_S("HTTP publications/s achieved", "/s", true),
    HTTP_OFFERED_PER_S("HTTP publications/s offered", "/s", true);

    public final String label;
    public final String unit;
    public final boolean higherIsBetter;

    Metric(String label, String unit, boolean higherIsBetter) {
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }
}
