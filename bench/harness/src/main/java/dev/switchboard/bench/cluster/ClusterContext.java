package dev.switchboard.bench.cluster;

import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.scenario.Tokens;
import java.net.InetAddress;
import java.util.List;

/**
 * What every cluster scenario needs.
 *
 * @param launcher        starts nodes and Redis
 * @param tokens          mints the clients' JWTs
 * @param http            readiness and HTTP publications
 * @param sourceAddresses loopback addresses the load generator's sockets are spread over
 * @param maxInFlight     connections handshaking at once
 * @param settleSeconds   how long connecting, priming or draining may take before the run fails
 * @param config          the cluster run's settings
 */
record ClusterContext(PeerLauncher launcher, Tokens tokens, Http http, List<InetAddress> sourceAddresses, int maxInFlight,
                      long settleSeconds, ClusterConfig config) {

    /** The topic of every cluster run. */
    static final String TOPIC = "bench";
}
