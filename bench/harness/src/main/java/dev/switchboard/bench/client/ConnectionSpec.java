package dev.switchboard.bench.client;

/**
 * One connection to open: its protocol, role, the JWT it presents, (native protocol) the
 * channel it claims, and which of the {@link LoadClient}'s servers it connects to ({@code node},
 * an index into its server list; 0 with a single server). Each native connection needs its own
 * channel: the server keeps at most one session per channel (across a cluster, too).
 */
public record ConnectionSpec(Protocol protocol, Role role, String token, String channelId, int node) {

    /** A connection to the first (or only) server. */
    public ConnectionSpec(Protocol protocol, Role role, String token, String channelId) {
        this(protocol, role, token, channelId, 0);
    }

    /** SO_RCVBUF of a slow subscriber: small, so that a stalled one backs up into the server soon. */
    static final int SLOW_RECEIVE_BUFFER = 4096;
}
