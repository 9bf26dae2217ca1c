package dev.switchboard.bench.client;

/**
 * One connection to open: its protocol, role, the JWT it presents and (native protocol) the
 * channel it claims. Each native connection needs its own channel: the server keeps at most one
 * session per channel.
 */
public record ConnectionSpec(Protocol protocol, Role role, String token, String channelId) {
}
