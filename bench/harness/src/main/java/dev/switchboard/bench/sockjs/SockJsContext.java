package dev.switchboard.bench.sockjs;

import dev.switchboard.bench.peer.PeerLauncher;
import dev.switchboard.bench.scenario.Tokens;
import java.net.InetAddress;
import java.util.List;

/**
 * What the SockJS run needs.
 *
 * @param launcher        starts the server
 * @param tokens          mints the clients' JWTs
 * @param apiKey          the server's HTTP API key (the publisher)
 * @param sourceAddresses loopback addresses the load generator's sockets are spread over
 * @param maxInFlight     sessions opening at once
 * @param settleSeconds   how long connecting, priming or draining may take before the run fails
 * @param config          the SockJS run's settings
 */
record SockJsContext(PeerLauncher launcher, Tokens tokens, String apiKey, List<InetAddress> sourceAddresses, int maxInFlight,
                     long settleSeconds, SockJsConfig config) {
}
