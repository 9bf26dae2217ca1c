package dev.switchboard.bench.client;

/**
 * One connection to open: its protocol, role, the JWT it presents and (native protocol) the
 * channel it claims. Each native connection needs its own channel: the server keeps at most one
 * session per channel.
 */
public record ConnectionSpec(Protocol protocol, Role role, String token, String channelId) {

    /** SO_RCVBUF of a slow subscriber: small, so that a stalled one backs up into the server soon. */
    static final int SLOW_RECEIVE_BUFFER = 4096;
}
