package dev.switchboard.bench.cluster;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Settings of the cluster run ({@code bench/run --cluster}), from system properties
 * ({@code -Dbench.cluster.x=...}); see bench/README.md ("Cluster run").
 *
 * @param parts          which parts run: {@code fanout}, {@code kill}, {@code restart}
 * @param subscribers    N, subscribers of the fan-out and restart parts (split 50/50 over two nodes)
 * @param rates          offered loads of the fan-out part, in deliveries/s (publications/s x N), the same for
 *                       every configuration
 * @param measureSeconds each measured window
 * @param warmupSeconds  open-loop load before each window, not measured
 * @param jitSeconds     open-loop load at the highest rate on every fresh configuration before any window
 * @param kills          repetitions of the killed-node part
 * @param restarts       repetitions of the Redis-restart part
 * @param redisDownSeconds how long Redis stays dead before it is started again (below the 10 s node lease)
 * @param probeMillis    pause between two connect attempts (killed node) or two health polls
 * @param restartRate    publications/s through the HTTP API during the Redis-restart part
 * @param redisServer    the redis-server binary
 * @param redisCpus      taskset CPU list for Redis
 */
record ClusterConfig(List<String> parts, int subscribers, List<Double> rates, double measureSeconds, double warmupSeconds,
                     double jitSeconds, int kills, int restarts, double redisDownSeconds, int probeMillis, double restartRate,
                     Path redisServer, String redisCpus) {

    static ClusterConfig fromSystemProperties() {
        return new ClusterConfig(
                list(property("bench.cluster.parts", "fanout,kill,restart")),
                Integer.parseInt(property("bench.cluster.n", "1000")),
                list(property("bench.cluster.rates", "20000,100000")).stream().map(Double::valueOf).toList(),
                Double.parseDouble(property("bench.cluster.seconds", "5")),
                Double.parseDouble(property("bench.cluster.warmup", "2")),
                Double.parseDouble(property("bench.cluster.jit", "3")),
                Integer.parseInt(property("bench.cluster.kills", "3")),
                Integer.parseInt(property("bench.cluster.restarts", "3")),
                Double.parseDouble(property("bench.cluster.redis.down", "2")),
                Integer.parseInt(property("bench.cluster.probe.ms", "20")),
                Double.parseDouble(property("bench.cluster.restart.rate", "50")),
                Path.of(property("bench.redis.server", "/usr/bin/redis-server")),
                property("bench.cluster.redis.cpus", "0"));
    }

    private static String property(String name, String fallback) {
        return System.getProperty(name, fallback);
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
