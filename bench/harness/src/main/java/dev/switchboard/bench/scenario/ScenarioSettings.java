package dev.switchboard.bench.scenario;

import dev.switchboard.bench.peer.PeerLauncher;
import java.net.InetAddress;
import java.util.List;

/**
 * What every scenario needs to run.
 *
 * @param launcher         starts peers
 * @param tokens           mints the clients' JWTs
 * @param apiKey           Switchboard's HTTP API key (HTTP publisher)
 * @param sourceAddresses  loopback addresses the client sockets are spread over
 * @param measureSeconds   length of each measurement window
 * @param warmupSeconds    load before each window that is not measured
 * @param maxInFlight      connections handshaking at once
 * @param handshakeWarmup  idle clients that connect and leave before the measured connect
 * @param window           deliveries the saturating publisher may have outstanding in all, spread over the
 *                         subscribers (see {@link #messagesInFlight})
 * @param latencyFractions fractions of the measured maximum at which latency is measured
 * @param settleSeconds    how long connecting, priming or draining may take before the run fails
 */
public record ScenarioSettings(PeerLauncher launcher, Tokens tokens, String apiKey, List<InetAddress> sourceAddresses,
                               double measureSeconds, double warmupSeconds, int maxInFlight, int handshakeWarmup, int window,
                               long settleSeconds) {

    /** The topic of every fan-out run. */
    public static final String TOPIC = "bench";

    /**
     * Messages the saturating publisher may have undelivered per subscriber at N subscribers: the
     * window in deliveries, between 8 and 256 messages (256 up to N = 1,000). A fixed count per
     * subscriber would queue five times the backlog at N = 5,000 as at 1,000, and a slow peer then
     * spends most of the run draining it.
     */
    public int messagesInFlight(int subscribers) {
        return Math.max(8, Math.min(256, window / Math.max(1, subscribers)));
    }
}
