package dev.switchboard.bench.sockjs;

import java.util.Arrays;
import java.util.List;

/**
 * Settings of the SockJS run ({@code bench/run --sockjs}), from system properties
 * ({@code -Dbench.sockjs.x=...}); {@code bench.quick=true} changes the defaults to a smoke run. See
 * bench/README.md ("SockJS run").
 *
 * @param quick          a smoke run
 * @param subscribers    N, subscribers per transport
 * @param connectSeconds how long the 2N sessions take to connect, spread evenly: one heart-beat interval by default,
 *                       so that their heart-beats (which end xhr streams) are spread as those of clients that
 *                       connected at different times
 * @param rates          offered loads in deliveries/s (publications/s x N), lowest first, the same for both transports
 * @param measureSeconds each measured window
 * @param warmupSeconds  load at the window's rate before it, not measured
 * @param jitRequests    publications through the HTTP API to a topic nobody follows, several at a time, first
 *                       ({@link HttpApiWarmUp})
 * @param jitSeconds     load at {@code jitRate} on each transport before the first window, not measured
 * @param jitRate        deliveries/s of that warm-up
 * @param p99LimitMillis a rate is sustained only with p99 at most this
 * @param minShare       ... and with at least this share of the offered deliveries arriving in the window
 * @param serverOptions  extra {@code -D} options for the server (none by default: the main suite's settings), e.g.
 *                       {@code -Dswitchboard.sockjs.stream.bytes=1048576}
 */
record SockJsConfig(boolean quick, int subscribers, double connectSeconds, List<Double> rates, double measureSeconds, double warmupSeconds,
                    int jitRequests, double jitSeconds, double jitRate, double p99LimitMillis, double minShare,
                    List<String> serverOptions) {

    static SockJsConfig fromSystemProperties() {
        boolean quick = Boolean.getBoolean("bench.quick");
        return new SockJsConfig(
                quick,
                Integer.parseInt(property("bench.sockjs.n", quick ? "200" : "1000")),
                Double.parseDouble(property("bench.sockjs.connect.seconds", quick ? "5" : "25")),
                list(property("bench.sockjs.rates", quick ? "20000,50000,100000"
                        : "20000,30000,40000,50000,60000,80000,100000,125000,150000,200000,300000,400000,500000")).stream()
                        .map(Double::valueOf).sorted().toList(),
                Double.parseDouble(property("bench.sockjs.seconds", quick ? "2" : "3")),
                Double.parseDouble(property("bench.sockjs.warmup", "1")),
                Integer.parseInt(property("bench.sockjs.jit.requests", quick ? "3000" : "10000")),
                Double.parseDouble(property("bench.sockjs.jit", quick ? "2" : "3")),
                Double.parseDouble(property("bench.sockjs.jit.rate", quick ? "20000" : "50000")),
                Double.parseDouble(property("bench.sockjs.p99.ms", "50")),
                Double.parseDouble(property("bench.sockjs.share", "0.99")),
                list(property("bench.sockjs.server", "")));
    }

    private static String property(String name, String fallback) {
        return System.getProperty(name, fallback);
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
