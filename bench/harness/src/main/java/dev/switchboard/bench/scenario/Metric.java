package dev.switchboard.bench.scenario;

/** Every figure the suite reports, with its unit and which way is better. */
public enum Metric {
    HANDSHAKES_PER_S("handshakes/s with JWT", "/s", true),
    HEAP_PER_SESSION("heap per idle session", "KB", false),
    RSS_PER_SESSION("RSS per idle session", "KB", false),
    THREADS_IDLE("threads with N idle sessions", "", false),
    FANOUT_DELIVERIES_PER_S("fan-out deliveries/s (max)", "/s", true),
    DELIVERIES_PER_CPU_S("deliveries per server CPU-second", "", true),
    SERVER_CPU_PERCENT("server CPU at max fan-out", "%", false),
    LATENCY_P50_MS("latency p50", "ms", false),
    LATENCY_P99_MS("latency p99", "ms", false),
    LATENCY_P999_MS("latency p99.9", "ms", false),
    LATENCY_RATE_PER_S("deliveries/s offered for latency", "/s", true),
    HTTP_LATENCY_P50_MS("latency p50, HTTP API publisher", "ms", false),
    HTTP_LATENCY_P99_MS("latency p99, HTTP API publisher", "ms", false),
    HTTP_LATENCY_P999_MS("latency p99.9, HTTP API publisher", "ms", false),
    HTTP_REQUEST_MS("HTTP publish request, mean", "ms", false),
    HTTP_PUBLISHED_PER_S("HTTP publications/s achieved (offered: rate of the latency row)", "/s", true),
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
