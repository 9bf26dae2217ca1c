package dev.switchboard.bench.soak;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The soak run's settings, from {@code --name value} arguments (bench/soak passes its own through).
 * Durations take a unit ({@code 90s}, {@code 10m}, {@code 500ms}); a bare number is seconds.
 */
record SoakConfig(long durationMs, int sessions, int groupSize, double rate, int payloadBytes, double feedRate,
                  int feedPayloadBytes, long callMs,
                  long lifeMinMs, long lifeMaxMs, long pauseMinMs, long pauseMaxMs, long rampMs, double stallFraction,
                  long stallAfterMs, long stallHoldMs, long stallGraceMs, long leaveGraceMs, long sampleMs,
                  long historyTtlMs, List<String> serverJvm, int inflight, int sources, String serverCpus, long seed, Path root,
                  Path out, String name, Path jar, String arguments) {

    static final String USAGE = """
            usage: bench/soak [--duration 10m] [--sessions 2000] [--rate 100] [--payload 1024] [--name soak] [options]
              --duration D      how long sessions churn and messages flow (default 10m)
              --sessions N      session slots, each its own channel soak-<i> (default 2000)
              --group-size N    sessions per group; a group shares a room topic and a call topic (default 100)
              --rate R          HTTP publications per second over all current topics (default 100)
              --payload B       padding bytes per publication (default 1024)
              --feed-rate R     publications per second to the feed, followed by the stallers and as many
                                others (default 100)
              --feed-payload B  padding bytes per feed publication (default 2048)
              --call D          life of a call topic before the group moves to a new one (default 60s)
              --life D-D        connected time of a non-stalling session, uniform (default 20s-100s)
              --pause D-D       disconnected time before reconnecting with resume (default 500ms-3s)
              --ramp D          first connects spread over this (default 20s)
              --stall F         share of session slots that stall in every life (default 0.01)
              --stall-after D   reading time before a staller stops reading (default 5s)
              --stall-hold D    how long it reads nothing before looking for the server's close (default 40s)
              --stall-grace D   reading time then allowed for the close to show (default 5s)
              --sample D        interval of the heap/threads/fds/latency samples (default 30s)
              --history-ttl D   the server's history TTL, or "default" for its 1 h (default 2m; see bench/README.md)
              --server-jvm L    comma list of server JVM options (default -Xmx1g)
              --out DIR         output directory, relative to the repository (default docs/benchmarks)
              --name NAME       writes DIR/NAME.md and DIR/NAME.png (default soak)
              --seed N          random seed of stallers, lives and pauses (default 42)
              --inflight N, --sources N, --server-cpus LIST (defaults 64, 4, 0)
            """;

    static SoakConfig parse(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("-h") || key.equals("--help")) {
                throw new IllegalArgumentException("");
            }
            if (!key.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + key);
            }
            given.put(key.substring(2), args[++i]);
        }
        Arguments a = new Arguments(given);
        Path root = Path.of(System.getProperty("bench.root", "..")).toAbsolutePath().normalize();
        long[] life = a.range("life", "20s-100s");
        long[] pause = a.range("pause", "500ms-3s");
        SoakConfig config = new SoakConfig(
                a.millis("duration", "10m"),
                a.integer("sessions", "2000"),
                a.integer("group-size", "100"),
                Double.parseDouble(a.text("rate", "100")),
                a.integer("payload", "1024"),
                Double.parseDouble(a.text("feed-rate", "100")),
                a.integer("feed-payload", "2048"),
                a.millis("call", "60s"),
                life[0], life[1], pause[0], pause[1],
                a.millis("ramp", "20s"),
                Double.parseDouble(a.text("stall", "0.01")),
                a.millis("stall-after", "5s"),
                a.millis("stall-hold", "40s"),
                a.millis("stall-grace", "5s"),
                2_000,
                a.millis("sample", "30s"),
                a.text("history-ttl", "2m").equals("default") ? 0 : a.millis("history-ttl", "2m"),
                Arrays.stream(a.text("server-jvm", "-Xmx1g").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                a.integer("inflight", "64"),
                a.integer("sources", "4"),
                a.text("server-cpus", "0"),
                Long.parseLong(a.text("seed", "42")),
                root,
                root.resolve(a.text("out", "docs/benchmarks")),
                a.text("name", "soak"),
                root.resolve("target/switchboard-standalone.jar"),
                String.join(" ", args));
        a.rejectUnknown();
        if (config.serverJvm.stream().noneMatch(option -> option.startsWith("-Xmx"))) {
            throw new IllegalArgumentException("--server-jvm must set -Xmx: the heap figures mean little without a fixed limit");
        }
        return config;
    }

    int groups() {
        return Math.max(1, (int) Math.round((double) sessions / groupSize));
    }

    /** Full as specified by issue 10: at least 10 minutes and 2,000 sessions; anything less is labelled a short run. */
    boolean shortRun() {
        return durationMs < 600_000 || sessions < 2000;
    }

    static long parseMillis(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Math.round(Double.parseDouble(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000);
        }
        if (t.endsWith("m")) {
            return Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000);
        }
        if (t.endsWith("h")) {
            return Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 3_600_000);
        }
        return Math.round(Double.parseDouble(t) * 1000);
    }

    static String seconds(long ms) {
        return ms % 60_000 == 0 && ms >= 60_000 ? ms / 60_000 + " min"
                : ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static final class Arguments {
        private final Map<String, String> given;
        private final List<String> used = new ArrayList<>();

        Arguments(Map<String, String> given) {
            this.given = given;
        }

        String text(String name, String fallback) {
            used.add(name);
            return given.getOrDefault(name, fallback);
        }

        int integer(String name, String fallback) {
            return Integer.parseInt(text(name, fallback));
        }

        long millis(String name, String fallback) {
            return parseMillis(text(name, fallback));
        }

        long[] range(String name, String fallback) {
            String[] parts = text(name, fallback).split("-");
            long low = parseMillis(parts[0]);
            return new long[] {low, parts.length > 1 ? parseMillis(parts[1]) : low};
        }

        void rejectUnknown() {
            for (String name : given.keySet()) {
                if (!used.contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name);
                }
            }
        }
    }
}
