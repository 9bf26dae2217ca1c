package dev.switchboard.bench.sockjs;

import dev.switchboard.bench.measure.Machine;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code docs/benchmarks/sockjs.md}: what was measured and how, every window, the highest rate each
 * transport sustained and their ratio, the same-rate ratios, where the load generator was the
 * limit, the machine and how busy it was, and the problems.
 */
final class SockJsReport {

    /** Everything one SockJS run measured. */
    record Data(SockJsConfig config, String command, Machine machine, String serverCpus, String clientCpus, Duration took,
                double loadBefore, double loadAfter, List<TransportSweep.Row> rows, List<String> problems) {
    }

    private final Data data;

    SockJsReport(Data data) {
        this.data = data;
    }

    String render() {
        StringBuilder md = new StringBuilder();
        SockJsConfig c = data.config();
        md.append("# SockJS xhr-streaming against WebSocket: topic fan-out\n\n");
        md.append("Written by `bench/run --sockjs` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (").append(c.quick() ? "quick run" : "one run").append(", ").append(data.took().toMinutes())
                .append(" min ").append(data.took().toSecondsPart()).append(" s). Command:\n\n```sh\n")
                .append(data.command()).append("\n```\n\n");
        md.append("**A shared machine.** This run was on a machine whose ").append(data.machine().processors())
                .append(" cores other work was using at the same time (other people's test runs): the 1-minute load average was ")
                .append(fmt(data.loadBefore())).append(" at the start and ").append(fmt(data.loadAfter()))
                .append(" at the end (").append(data.machine().processors())
                .append(" means both cores busy), and each window's is in the table. Absolute deliveries/s and latencies ")
                .append("move from run to run with that load. The two transports were measured in alternating windows of the ")
                .append("same run against the same server, so the load hit both alike: **the ratio of xhr-streaming to WebSocket ")
                .append("is the figure that holds**, not the absolute rates.\n\n");
        summary(md);
        machine(md);
        method(md);
        windows(md);
        highest(md);
        sameRate(md);
        loadGenerator(md);
        checks(md);
        return md.toString();
    }

    /** The outcome in a few lines, from the figures below. */
    private void summary(StringBuilder md) {
        Optional<Double> ws = highestSustained(Transport.WEBSOCKET);
        Optional<Double> xhr = highestSustained(Transport.XHR_STREAMING);
        md.append("## Summary\n\n");
        md.append("- Highest offered rate sustained (p99 <= ").append(plain(data.config().p99LimitMillis()))
                .append(" ms, everything delivered): WebSocket ").append(ws.map(SockJsReport::num).orElse("none"))
                .append(", xhr-streaming ").append(xhr.map(SockJsReport::num).orElse("none")).append(" deliveries/s");
        if (ws.isPresent() && xhr.isPresent()) {
            md.append("; **xhr-streaming / WebSocket = ").append(String.format(Locale.ROOT, "%.2f", xhr.get() / ws.get()))
                    .append("** (bounds under \"Highest rate sustained\")");
        }
        md.append(".\n");
        List<Double> cpuRatios = new ArrayList<>();
        for (TransportSweep.Row[] p : pairs()) {
            if (p[0].sustained() && p[1].sustained()) {
                cpuRatios.add(p[1].serverMicrosPerDelivery() / p[0].serverMicrosPerDelivery());
            }
        }
        if (!cpuRatios.isEmpty()) {
            List<Double> sorted = cpuRatios.stream().sorted().toList();
            md.append("- Server CPU per delivery, xhr-streaming / WebSocket, at the ").append(sorted.size())
                    .append(" rates both sustained: median ").append(String.format(Locale.ROOT, "%.2f", sorted.get(sorted.size() / 2)))
                    .append(" (").append(String.format(Locale.ROOT, "%.2f-%.2f", sorted.get(0), sorted.get(sorted.size() - 1)))
                    .append(").\n");
        }
        firstFailure(Transport.XHR_STREAMING).ifPresent(x -> {
            md.append("- Where xhr-streaming was first not sustained (").append(num(x.offered())).append(" deliveries/s): ")
                    .append(whyNot(x)).append(", server CPU ").append(fmt(x.serverCpu())).append(" %, ")
                    .append(fmt(x.streamsPerSecond())).append(" streams begun/s, a re-open taking ").append(fmt(x.reopenP50()))
                    .append(" ms median and ").append(fmt(x.reopenP99())).append(" ms p99 to the next response's first bytes");
            rowsOf(Transport.WEBSOCKET).stream().filter(w -> w.offered() == x.offered() && w.attempt() == 1).findFirst()
                    .ifPresent(w -> md.append("; WebSocket at that rate: p99 ").append(fmt(w.p99())).append(" ms, server CPU ")
                            .append(fmt(w.serverCpu())).append(" %"));
            md.append(".\n");
        });
        md.append('\n');
    }

    /** WebSocket and xhr-streaming windows at the same rate, first tries (they ran back to back). */
    private List<TransportSweep.Row[]> pairs() {
        List<TransportSweep.Row[]> pairs = new ArrayList<>();
        for (TransportSweep.Row w : rowsOf(Transport.WEBSOCKET).stream().filter(r -> r.attempt() == 1).toList()) {
            rowsOf(Transport.XHR_STREAMING).stream().filter(x -> x.attempt() == 1 && x.offered() == w.offered()).findFirst()
                    .ifPresent(x -> pairs.add(new TransportSweep.Row[] {w, x}));
        }
        return pairs;
    }

    private void machine(StringBuilder md) {
        md.append("| machine | |\n|---|---|\n");
        md.append("| processors (nproc) | ").append(data.machine().processors()).append(" |\n");
        md.append("| CPU | ").append(data.machine().cpuModel()).append(" |\n");
        md.append("| memory | ").append(data.machine().memoryGb()).append(" GiB |\n");
        md.append("| JDK | ").append(data.machine().jdk()).append(" |\n");
        md.append("| OS | ").append(data.machine().os()).append(" |\n\n");
    }

    private void method(StringBuilder md) {
        SockJsConfig c = data.config();
        md.append("## What was measured, and how\n\n");
        md.append("- **Server**: one `target/switchboard-standalone.jar`, started once for the whole run with the main suite's ")
                .append("settings (`-Xms256m -Xmx2g`, the per-address handshake limit off")
                .append(c.serverOptions().isEmpty() ? "" : "; and, for this run, `" + String.join(" ", c.serverOptions()) + "`")
                .append(") and pinned to CPU ")
                .append(data.serverCpus()).append(" (`taskset`). The load generator, the HTTP publisher and the harness run on CPU ")
                .append(data.clientCpus()).append(".\n");
        md.append("- **Subscribers**: N = ").append(num(c.subscribers())).append(" per transport, native protocol, each with its ")
                .append("own JWT and channel. *WebSocket*: `/ws/channel`, driven by the main suite's load generator ")
                .append("(`client.LoadClient`, unchanged). *xhr-streaming*: one SockJS session each on `/sockjs/channel`: ")
                .append("`POST /sockjs/channel/<server>/<session>/xhr_streaming` opens a streaming response (2 KiB prelude, ")
                .append("`o`, then `a[...]` frames whose elements are native JSON frames), `subscribe` goes as ")
                .append("`POST .../xhr_send` with `[\"{\\\"type\\\":\\\"subscribe\\\",\\\"topic\\\":\\\"T\\\"}\"]`, and when the ")
                .append("server ends a stream (after 128 KiB or a heart-beat) the client asks for the next at once, on the same ")
                .append("keep-alive connection: per subscriber one long-lived HTTP connection plus the short `xhr_send` requests. ")
                .append("Its client (`client.XhrStreamingClient`) is built like the WebSocket one: one selector thread, ")
                .append("requests written by hand, chunked bodies and SockJS frames parsed in place, the same ledger.\n");
        md.append("- **Side by side**: each transport's subscribers follow their own topic, and all 2N sessions stay connected ")
                .append("throughout, so the server holds the same sessions in every window. They connect spread evenly over ")
                .append(plain(c.connectSeconds())).append(" s, both transports alike: a session's heart-beat (every 25 s from its ")
                .append("start) ends an xhr stream 12.5 s old or more, and sessions opened all at once would end all their streams ")
                .append("in the same second, which measures when the run started rather than clients that came at different ")
                .append("times. After connecting and priming: ")
                .append(num(c.jitRequests())).append(" publications through the HTTP API to a topic nobody follows, 8 in flight ")
                .append("(a fresh server runs its HTTP path interpreted at first), then ").append(plain(c.jitSeconds()))
                .append(" s per transport at ").append(num(c.jitRate())).append(" deliveries/s; none of it measured. Then per ")
                .append("offered rate, lowest first: a window *publishing alone* (the same publications/s to a topic nobody ")
                .append("follows: what the HTTP API costs the server at that rate), then a window per transport, back to back, ")
                .append("which one first alternating from rate to rate. Each window: ").append(plain(c.warmupSeconds()))
                .append(" s warm-up at its rate plus ").append(plain(c.measureSeconds()))
                .append(" s measured, then a wait until every subscriber had the last publication.\n");
        md.append("- **Publisher**: the HTTP API (`POST /api/v1/topics/{topic}/messages`), open loop, one request at a time ")
                .append("(`client.HttpTopicPublisher`, as the main suite's HTTP phase): publication i is due at start + i / rate ")
                .append("and carries that intended time and a sequence number; offered deliveries/s = publications/s x N. ")
                .append("Latency is measured from the intended time, so a late request counts.\n");
        md.append("- **Sustained**: at least ").append(pct(c.minShare())).append(" of the offered deliveries arrived in the window ")
                .append("(the rest is the window's edges), p99 at most ").append(plain(c.p99LimitMillis()))
                .append(" ms, every subscriber had the last publication soon after, and no gap, reorder, unexpected close or ")
                .append("error frame. As the machine is shared, a rate missed on its share or its p99 alone is tried once more ")
                .append("(\"2nd try\" in the table), for both transports alike; a transport stops climbing at its first rate ")
                .append("not sustained.\n");
        md.append("- **CPU**: server from `/proc/<pid>/stat` over the window, in % of one core and in CPU-µs per delivery, also ")
                .append("without the publishing alone window's CPU at the same rate (\"delivery only\": the transport's share, as ")
                .append("the publications cost the same whichever transport carries them). Load generator: the harness process ")
                .append("(both clients and the publisher; the idle transport's client costs nearly nothing), in % of its one core.\n\n");
    }

    private void windows(StringBuilder md) {
        if (data.rows().isEmpty()) {
            return;
        }
        md.append("## Every window\n\n");
        md.append("| transport | offered deliveries/s | publications/s offered / achieved | delivered | deliveries/s | p50 ms | p99 ms | ")
                .append("p99.9 ms | last subscriber p99 ms | server CPU % | of which publishing alone % | server CPU-µs per delivery | ")
                .append("delivery only | load generator CPU % | streams begun/s | stream re-open to next bytes p50 / p99 ms | load average | ")
                .append("sustained |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (TransportSweep.Row r : data.rows()) {
            md.append("| ").append(r.transport().label).append(r.attempt() > 1 ? ", 2nd try" : "").append(" | ")
                    .append(num(r.offered())).append(" | ").append(num(r.offered() / r.subscribers())).append(" / ").append(num(r.published())).append(" | ")
                    .append(pct(r.share())).append(" | ").append(num(r.delivered())).append(" | ").append(fmt(r.p50()))
                    .append(" | ").append(fmt(r.p99())).append(" | ").append(fmt(r.p999())).append(" | ")
                    .append(fmt(r.completeP99())).append(" | ").append(fmt(r.serverCpu())).append(" | ")
                    .append(fmt(r.publishingCpu())).append(" | ").append(fmt(r.serverMicrosPerDelivery())).append(" | ")
                    .append(fmt(r.deliveryMicrosPerDelivery())).append(" | ").append(fmt(r.clientCpu())).append(" | ")
                    .append(r.transport() == Transport.WEBSOCKET ? "-" : fmt(r.streamsPerSecond())).append(" | ")
                    .append(r.transport() == Transport.WEBSOCKET ? "-" : fmt(r.reopenP50()) + " / " + fmt(r.reopenP99()))
                    .append(" | ")
                    .append(fmt(r.load1())).append(" | ").append(r.sustained() ? "yes" : "**no**: " + whyNot(r)).append(" |\n");
        }
        md.append('\n');
    }

    private void highest(StringBuilder md) {
        Optional<Double> ws = highestSustained(Transport.WEBSOCKET);
        Optional<Double> xhr = highestSustained(Transport.XHR_STREAMING);
        md.append("## Highest rate sustained, and the ratio\n\n");
        md.append("| transport | highest offered deliveries/s sustained | next rate tried | why not sustained there |\n|---|---|---|---|\n");
        for (Transport t : Transport.values()) {
            Optional<TransportSweep.Row> failed = firstFailure(t);
            md.append("| ").append(t.label).append(" | ").append(highestSustained(t).map(SockJsReport::num).orElse("none"))
                    .append(" | ").append(failed.map(r -> num(r.offered())).orElse("none: every rate offered was sustained"))
                    .append(" | ").append(failed.map(SockJsReport::whyNot).orElse("-")).append(" |\n");
        }
        md.append('\n');
        if (ws.isEmpty() || xhr.isEmpty()) {
            md.append("No ratio: a transport sustained none of the rates.\n\n");
            return;
        }
        double ratio = xhr.get() / ws.get();
        md.append("**xhr-streaming / WebSocket, highest sustained rate: ").append(String.format(Locale.ROOT, "%.2f", ratio))
                .append("**");
        List<String> bounds = new ArrayList<>();
        if (firstFailure(Transport.WEBSOCKET).isEmpty()) {
            bounds.add("WebSocket sustained the highest rate offered, so its own limit is higher and the ratio at most this");
        } else if (limitedByLoadGenerator(firstFailure(Transport.WEBSOCKET).get())) {
            bounds.add("WebSocket's first failure came with the load generator at its limit, so the server's own limit over "
                    + "WebSocket may be higher and the ratio lower");
        }
        if (firstFailure(Transport.XHR_STREAMING).isEmpty()) {
            bounds.add("xhr-streaming sustained the highest rate offered, so the ratio is at least this");
        } else if (limitedByLoadGenerator(firstFailure(Transport.XHR_STREAMING).get())) {
            bounds.add("xhr-streaming's first failure came with the load generator at its limit, so the ratio may be higher");
        }
        md.append(bounds.isEmpty() ? "." : " (" + String.join("; ", bounds) + ").");
        md.append(" The rates form a ladder, so each highest rate is only known to lie between it and the next rate tried.\n\n");
    }

    private void sameRate(StringBuilder md) {
        List<TransportSweep.Row[]> pairs = pairs();
        if (pairs.isEmpty()) {
            return;
        }
        md.append("## At the same offered rate: xhr-streaming / WebSocket\n\n");
        md.append("Each pair of windows (first tries) ran back to back. Above 1: xhr-streaming costs more server CPU per delivery, or its ")
                .append("latency is higher. \"Delivery only\" leaves out what publishing alone cost at that rate, which both pay ")
                .append("alike and which dilutes the whole-server ratio towards 1.\n\n");
        md.append("| offered deliveries/s | server CPU-µs per delivery | delivery only | server CPU % | p50 | p99 | last subscriber p99 | both sustained |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (TransportSweep.Row[] p : pairs) {
            md.append("| ").append(num(p[0].offered())).append(" | ")
                    .append(ratio(p[1].serverMicrosPerDelivery(), p[0].serverMicrosPerDelivery())).append(" | ")
                    .append(ratio(p[1].deliveryMicrosPerDelivery(), p[0].deliveryMicrosPerDelivery())).append(" | ")
                    .append(ratio(p[1].serverCpu(), p[0].serverCpu())).append(" | ").append(ratio(p[1].p50(), p[0].p50()))
                    .append(" | ").append(ratio(p[1].p99(), p[0].p99())).append(" | ")
                    .append(ratio(p[1].completeP99(), p[0].completeP99())).append(" | ")
                    .append(p[0].sustained() && p[1].sustained() ? "yes" : "no").append(" |\n");
        }
        md.append('\n');
    }

    private void loadGenerator(StringBuilder md) {
        md.append("## Where the load generator is the limit\n\n");
        md.append("The load generator has one core. A window counts as limited by it when the harness process used over 80 % ")
                .append("of that core, or when the publisher did not make its offer: it sends one request at a time (concurrent ")
                .append("requests could be accepted out of order), so it makes at most 1 / (request time) publications/s, and ")
                .append("requests slow down as the server's one core fills.\n\n");
        List<TransportSweep.Row> limited = data.rows().stream().filter(SockJsReport::limitedByLoadGenerator).toList();
        if (limited.isEmpty()) {
            md.append("In this run: no window. The load generator's CPU stayed under 80 % and the publisher made every offer, ")
                    .append("so the limits found are the server's (on its one core, on this shared machine).\n\n");
            return;
        }
        md.append("In this run:\n\n");
        for (TransportSweep.Row r : limited) {
            md.append("- ").append(r.transport().label).append(" at ").append(num(r.offered())).append(" deliveries/s: ");
            List<String> why = new ArrayList<>();
            if (r.clientBusy()) {
                why.add("load generator CPU " + fmt(r.clientCpu()) + " %");
            }
            if (r.publisherShort()) {
                why.add("the publisher made " + num(r.published()) + " of " + num(r.offered() / r.subscribers())
                        + " publications/s");
            }
            md.append(String.join(", ", why)).append(r.sustained() ? " (sustained nonetheless)" : "").append(".\n");
        }
        md.append('\n');
    }

    private void checks(StringBuilder md) {
        md.append("## Problems\n\n");
        if (data.problems().isEmpty()) {
            md.append("None: every subscriber connected, every window drained, no gap, reorder, unexpected close, error frame or ")
                    .append("failed publication.\n");
            return;
        }
        data.problems().forEach(p -> md.append("- ").append(p).append('\n'));
    }

    private List<TransportSweep.Row> rowsOf(Transport transport) {
        return data.rows().stream().filter(r -> r.transport() == transport).toList();
    }

    /** The rates tried, lowest first, each with its last window (the second try, if there was one). */
    private List<TransportSweep.Row> lastTries(Transport transport) {
        List<TransportSweep.Row> last = new ArrayList<>();
        for (TransportSweep.Row r : rowsOf(transport)) {
            if (!last.isEmpty() && last.get(last.size() - 1).offered() == r.offered()) {
                last.set(last.size() - 1, r);
            } else {
                last.add(r);
            }
        }
        return last;
    }

    private Optional<Double> highestSustained(Transport transport) {
        // Climbing stops at the first rate not sustained: every rate before it was.
        return lastTries(transport).stream().takeWhile(TransportSweep.Row::sustained).map(TransportSweep.Row::offered)
                .reduce((a, b) -> b);
    }

    private Optional<TransportSweep.Row> firstFailure(Transport transport) {
        return lastTries(transport).stream().filter(r -> !r.sustained()).findFirst();
    }

    private static boolean limitedByLoadGenerator(TransportSweep.Row r) {
        return r.clientBusy() || r.publisherShort();
    }

    private static String whyNot(TransportSweep.Row r) {
        List<String> why = new ArrayList<>();
        if (r.share() < r.minShare()) {
            why.add("delivered " + pct(r.share()));
        }
        if (!(r.p99() <= r.p99Limit())) {
            why.add("p99 " + fmt(r.p99()) + " ms");
        }
        if (!r.drained()) {
            why.add("not drained");
        }
        if (r.faults() > 0) {
            why.add(r.faults() + " faults");
        }
        if (limitedByLoadGenerator(r)) {
            why.add("load generator at its limit");
        }
        return why.isEmpty() ? "-" : String.join(", ", why);
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** A setting as given: 5, 2.5. */
    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
