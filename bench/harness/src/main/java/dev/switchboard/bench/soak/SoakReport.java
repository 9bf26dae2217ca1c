package dev.switchboard.bench.soak;

import dev.switchboard.bench.client.SoakClient;
import dev.switchboard.bench.measure.Machine;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * docs/benchmarks/soak.md: what was measured, the settings, the checks with pass/fail, message and
 * stall counts, and the table of samples.
 */
final class SoakReport {

    /** One pass/fail line of the report. */
    record Check(String name, boolean ok, String detail) {
    }

    private final SoakConfig config;
    private final Machine machine;
    private final SoakOutcome outcome;
    private final Duration took;
    private final String loadAverages;
    private final List<FlatnessVerdict.Figure> figures;
    private final List<Check> checks;

    SoakReport(SoakConfig config, Machine machine, SoakOutcome outcome, Duration took, String loadAverages) {
        this.config = config;
        this.loadAverages = loadAverages;
        this.machine = machine;
        this.outcome = outcome;
        this.took = took;
        this.figures = FlatnessVerdict.judge(outcome.samples());
        this.checks = checks();
    }

    boolean passed() {
        return checks.stream().allMatch(Check::ok);
    }

    /** Where the warm-up third ends (0 if not judged). */
    double warmUpEndsSeconds() {
        List<SoakSample> running = outcome.samples().stream().filter(s -> s.seconds() > 0).toList();
        return running.size() < 6 ? 0 : running.get(running.size() / 3 - 1).seconds();
    }

    private List<Check> checks() {
        SoakClient.Counters c = outcome.counters();
        List<Check> list = new ArrayList<>();
        if (figures == null) {
            list.add(new Check("heap, threads, fds and p99 flat after warm-up", false,
                    "not judged: fewer than 6 samples (run longer or sample more often)"));
        } else {
            for (FlatnessVerdict.Figure figure : figures) {
                list.add(new Check(figure.name() + " flat after warm-up", figure.flat(), figure.describe()));
            }
        }
        list.add(new Check("no message lost by non-stalled sessions", c.lost() == 0,
                c.lost() + " offsets skipped (live or in a resume replay)"));
        list.add(new Check("no recovered:false for non-stalled sessions", c.recoveredFalse() == 0,
                c.recoveredFalse() + " resumes answered recovered:false, of " + (c.resumes() + c.recoveredFalse())));
        list.add(new Check("every following session caught up at the end", outcome.end().behind() == 0,
                outcome.end().behind() + " of " + outcome.end().checked() + " sessions short of the publisher's last offset by "
                        + outcome.end().missing() + " message(s) in all"));
        list.add(new Check("no duplicate, stray or epoch change", c.duplicates() == 0 && c.strays() == 0 && c.epochChanges() == 0,
                c.duplicates() + " duplicates, " + c.strays() + " strays, " + c.epochChanges() + " epoch changes"));
        list.add(new Check("no unexpected close or error frame", c.unexpectedCloses() == 0 && c.errorFrames() == 0,
                c.unexpectedCloses() + " unexpected closes, " + c.errorFrames() + " error frames"));
        long stallEnds = c.stallClosed4008() + c.stallClosedAbruptly() + other(c) + c.stallNotClosed();
        list.add(new Check("every stall closed by the server as a slow consumer (4008)",
                c.stalls() > 0 && c.stallNotClosed() == 0 && other(c) == 0
                        && outcome.serverSlowClosed() >= c.stallClosed4008() + c.stallClosedAbruptly(),
                String.format(Locale.ROOT, "%d stalls, %d ended: %d close frames 4008, %d closed without a readable close frame, "
                                + "%d other codes %s, %d not closed; the server counted %d slow-consumer closes",
                        c.stalls(), stallEnds, c.stallClosed4008(), c.stallClosedAbruptly(), other(c), c.stallClosedOther(),
                        c.stallNotClosed(), outcome.serverSlowClosed())));
        list.add(new Check("publishers kept their rates", outcome.publishFailures() == 0 && outcome.feedFailures() == 0
                && outcome.publishRate() >= 0.95 * config.rate() && outcome.feedRate() >= 0.95 * config.feedRate(),
                String.format(Locale.ROOT, "rooms and calls: %d published, %.1f/s of %.0f/s, %d failed%s; feed: %d published, "
                                + "%.1f/s of %.0f/s, %d failed%s", outcome.published(), outcome.publishRate(),
                        config.rate(), outcome.publishFailures(),
                        outcome.firstPublishFailure() == null ? "" : " (first: " + outcome.firstPublishFailure() + ")",
                        outcome.feedPublished(), outcome.feedRate(), config.feedRate(), outcome.feedFailures(),
                        outcome.firstFeedFailure() == null ? "" : " (first: " + outcome.firstFeedFailure() + ")")));
        return list;
    }

    private static long other(SoakClient.Counters c) {
        return c.stallClosedOther().values().stream().mapToLong(Integer::longValue).sum();
    }

    String render() {
        SoakClient.Counters c = outcome.counters();
        StringBuilder md = new StringBuilder();
        md.append("# Soak run").append(config.shortRun() ? " (SHORT RUN: not the 10-minute, 2,000-session soak)" : "").append("\n\n");
        md.append(String.format(Locale.ROOT, "%s, %s, took %d min %d s. Command: `bench/soak%s`. **Result: %s**%n%n",
                LocalDate.now(), config.shortRun() ? "short run" : "full run", took.toMinutes(), took.toSecondsPart(),
                arguments(), passed() ? "PASS" : "FAIL"));
        md.append("""
                What it does: starts `target/switchboard-standalone.jar` (real HS256 secret and API key, explicit `-Xmx`,
                pinned to CPU %s; the load generator runs on the other core) and lets %,d native sessions churn for %s.
                Each session slot is one channel (`soak-<i>`, its own token) in a group of about %d; a group shares a
                long-lived topic `room-<g>` and one call topic `call-<g>-<k>` that is replaced every %s (the old one is
                abandoned for good). A session connects, subscribes to its room and current call, follows the call to its
                successor, closes after %s-%s, and reconnects %s-%s later resuming every topic with
                `since: {offset, epoch}` of the last message it saw (a call it joins late: from offset 0). Publications
                go over HTTP (`POST /api/v1/topics/{topic}/messages`) at a fixed %.0f/s, round robin over every room and
                current call, each carrying its intended send time and %,d bytes of padding. %.1f %% of the slots
                (%d) are stallers: in every life they read for %s, then stop reading with the TCP connection open
                (4 KB receive buffer) for %s, then read again and must find the server closed them (4008); then
                they reconnect and resume like everyone else. The stallers and as many other sessions also follow
                `feed`, %.0f publications/s of %,d bytes: enough bytes for a stall to pass the server's bounds within
                the run without giving all sessions that bandwidth.

                Every %s: the server's heap after a full GC (`jcmd GC.run`, then `GC.heap_info`), threads
                (`/proc/<pid>/status`), open fds (`/proc/<pid>/fd`), and the p50/p99 of the interval's live deliveries
                to sessions that do not stall (receive time minus the intended send time, one clock; replays after a
                resume are counted, not timed). Every message's offset is checked per session and topic across
                reconnects.

                """.formatted(config.serverCpus(), config.sessions(), SoakConfig.seconds(config.durationMs()), config.groupSize(),
                SoakConfig.seconds(config.callMs()), SoakConfig.seconds(config.lifeMinMs()), SoakConfig.seconds(config.lifeMaxMs()),
                SoakConfig.seconds(config.pauseMinMs()), SoakConfig.seconds(config.pauseMaxMs()), config.rate(), config.payloadBytes(),
                config.stallFraction() * 100, c.stallerSlots(), SoakConfig.seconds(config.stallAfterMs()),
                SoakConfig.seconds(config.stallHoldMs()), config.feedRate(), config.feedPayloadBytes(),
                SoakConfig.seconds(config.sampleMs())));
        md.append("## Checks\n\n");
        md.append("""
                Flat after warm-up: the samples after the idle one are cut in thirds, the first is warm-up; a figure is
                flat when the median of the last third is at most the second third's median x (1 + tolerance) + slack:
                heap 10 %% + 2 MB, threads 10 %% + 2, fds 10 %% + 10, p99 20 %% + 2 ms. Falling is flat. The trend is the
                least-squares slope over the last two thirds.

                """.formatted());
        md.append("| check | result | detail |\n|---|---|---|\n");
        for (Check check : checks) {
            md.append("| ").append(check.name()).append(" | ").append(check.ok() ? "pass" : "**FAIL**").append(" | ")
                    .append(check.detail().replace("|", "\\|")).append(" |\n");
        }
        md.append("\n## Messages and sessions\n\n| count | value |\n|---|---:|\n");
        row(md, "publications accepted (HTTP 202), rooms and calls", outcome.published());
        row(md, "publications accepted (HTTP 202), feed", outcome.feedPublished());
        row(md, "topics published to", outcome.topicsPublished());
        row(md, "live deliveries to non-stalled sessions (timed)", c.liveDeliveries());
        row(md, "deliveries replayed on resume to non-stalled sessions", c.replayed());
        row(md, "deliveries to stallers", c.stallerDeliveries());
        row(md, "connects (lives begun)", c.lives());
        row(md, "handshakes completed (welcome)", c.handshakes());
        row(md, "connects refused or failed", c.connectFailures());
        row(md, "resumes answered recovered:true", c.resumes());
        row(md, "**lost, non-stalled sessions** (offsets skipped)", c.lost());
        row(md, "**recovered:false, non-stalled sessions**", c.recoveredFalse());
        row(md, "lost, stallers (after their resume)", c.stallerLost());
        row(md, "recovered:false, stallers", c.stallerRecoveredFalse());
        row(md, "duplicates", c.duplicates());
        row(md, "unexpected closes", c.unexpectedCloses());
        row(md, "error frames", c.errorFrames());
        row(md, "stalls begun", c.stalls());
        row(md, "stalls ended by a 4008 close frame", c.stallClosed4008());
        row(md, "stalls ended by the server closing without a readable close frame", c.stallClosedAbruptly());
        row(md, "stalls ended by another close code", other(c));
        row(md, "stalls the server did not close", c.stallNotClosed());
        row(md, "slow-consumer closes counted by the server (`/api/v1/stats`)", outcome.serverSlowClosed());
        row(md, "messages the server dropped (queued for closed sessions)", outcome.serverDropped());
        if (!c.refusals().isEmpty()) {
            md.append("\nRefused upgrades by status: ").append(c.refusals()).append("\n");
        }
        md.append(String.format(Locale.ROOT, "%nHTTP publish: mean %.2f ms, max %.1f ms per request. End check: %d sessions "
                        + "following topics at the end, %d behind.%n", outcome.meanRequestMs(), outcome.maxRequestMs(),
                outcome.end().checked(), outcome.end().behind()));
        md.append("\n## Samples\n\n");
        md.append("Row 0 is the idle server before the first session. Heap: live heap after a full GC. CPU: share of one core "
                + "over the interval. Latency: live deliveries to non-stalled sessions in the interval.\n\n");
        md.append("| s | heap MB | threads | fds | RSS MB | server CPU | client CPU | connected | stalled | deliveries "
                + "| p50 ms | p99 ms | p99.9 ms | max ms | 4008 so far |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SoakSample s : outcome.samples()) {
            md.append(String.format(Locale.ROOT, "| %.0f | %.1f | %d | %d | %.0f | %.0f %% | %.0f %% | %d | %d | %d | %.2f | %.2f | %.2f | %.1f | %d |%n",
                    s.seconds(), s.heapMb(), s.threads(), s.fds(), s.rssMb(), s.serverCpuPercent(), s.clientCpuPercent(),
                    s.connected(), s.stalled(), s.deliveries(), s.p50Ms(), s.p99Ms(), s.p999Ms(), s.maxMs(), s.slowClosed()));
        }
        md.append("\n![heap after GC, threads, fds and latency over time](").append(config.name()).append(".png)\n");
        md.append("\n## Settings\n\n| setting | value |\n|---|---|\n");
        setting(md, "server", "`target/switchboard-standalone.jar`, JVM `" + String.join(" ", config.serverJvm())
                + "`, `taskset -c " + config.serverCpus() + "`, HS256 secret and API key fresh per run, handshake rate limit off "
                + "(the clients come from 4 loopback addresses)");
        setting(md, "server history", "size 1000 (default), TTL " + (config.historyTtlMs() > 0
                ? SoakConfig.seconds(config.historyTtlMs()) + " (default 1 h; see bench/README.md)" : "1 h (default)"));
        setting(md, "sessions / groups", config.sessions() + " / " + config.groups());
        setting(md, "publications", String.format(Locale.ROOT, "%.0f/s over HTTP, %d bytes of padding, %d topics current at a time",
                config.rate(), config.payloadBytes(), 2 * config.groups()));
        setting(md, "feed", String.format(Locale.ROOT, "%.0f/s, %d bytes of padding, followed by %d sessions (the stallers and as many others)",
                config.feedRate(), config.feedPayloadBytes(), 2 * c.stallerSlots()));
        setting(md, "call topic life", SoakConfig.seconds(config.callMs()));
        setting(md, "session life / pause", SoakConfig.seconds(config.lifeMinMs()) + "-" + SoakConfig.seconds(config.lifeMaxMs())
                + " / " + SoakConfig.seconds(config.pauseMinMs()) + "-" + SoakConfig.seconds(config.pauseMaxMs()));
        setting(md, "stallers", String.format(Locale.ROOT, "%.1f %% (%d): read %s, stall %s, then %s to see the close",
                config.stallFraction() * 100, c.stallerSlots(), SoakConfig.seconds(config.stallAfterMs()),
                SoakConfig.seconds(config.stallHoldMs()), SoakConfig.seconds(config.stallGraceMs())));
        setting(md, "first connects spread over", SoakConfig.seconds(config.rampMs()));
        setting(md, "samples every", SoakConfig.seconds(config.sampleMs()));
        setting(md, "machine", machine.processors() + " CPUs, " + machine.cpuModel() + ", " + machine.memoryGb() + " GB, "
                + machine.jdk() + ", " + machine.os());
        setting(md, "load average (1 min) at start / end", loadAverages + " (a figure above the CPU count means other work competed for the CPUs)");
        if (!c.problems().isEmpty()) {
            md.append("\n## First problems seen\n\n");
            c.problems().forEach(p -> md.append("- ").append(p.replace("|", "\\|")).append('\n'));
        }
        return md.toString();
    }

    private String arguments() {
        return config.arguments().isEmpty() ? "" : " " + config.arguments();
    }

    private static void row(StringBuilder md, String name, long value) {
        md.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, "%,d", value)).append(" |\n");
    }

    private static void setting(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }
}
