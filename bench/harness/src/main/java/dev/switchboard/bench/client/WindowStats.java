package dev.switchboard.bench.client;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the load generator saw during one measurement window.
 *
 * @param deliveries  topic messages received by all subscribers together
 * @param seconds     the window's length
 * @param latency     µs from each message's intended send time to its arrival
 * @param complete    per publication, µs from its intended send time to its arrival at the LAST subscriber
 * @param spread      per publication, µs between its first and its last arrival
 * @param gaps        sequence numbers missing on some connection (should be 0)
 * @param reorders    messages that arrived with a lower sequence number than one seen before
 * @param unexpectedCloses connections the server closed (or that broke) without us asking
 * @param errorFrames native {@code error} or STOMP ERROR frames received
 * @param problems    the first few problems in words, for the report
 * @param latencyByNode {@code latency} split by the server (index in the {@link LoadClient}'s server list) the
 *                    receiving subscriber is connected to; one element with a single server
 * @param deliveriesByNode {@code deliveries} split the same way
 */
public record WindowStats(long deliveries, double seconds, Histogram latency, Histogram complete, Histogram spread,
                          long gaps, long reorders,
                          int unexpectedCloses, int errorFrames, List<String> problems,
                          List<Histogram> latencyByNode, long[] deliveriesByNode) {

    public double deliveriesPerSecond() {
        return seconds > 0 ? deliveries / seconds : 0;
    }
}
