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
 * @param window           messages per subscriber the saturating publisher may have undelivered
 * @param latencyFractions fractions of the measured maximum at which latency is measured
 * @param settleSeconds    how long connecting, priming or draining may take before the run fails
 */
public record ScenarioSettings(PeerLauncher launcher, Tokens tokens, String apiKey, List<InetAddress> sourceAddresses,
                               double measureSeconds, double warmupSeconds, int maxInFlight, int handshakeWarmup, int window,
                               long settleSeconds) {

    /** The topic of every fan-out run. */
    public static final String TOPIC = "bench";
}
