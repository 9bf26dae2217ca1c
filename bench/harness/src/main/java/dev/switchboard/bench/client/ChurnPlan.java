package dev.switchboard.bench.client;

/**
 * Connections that come and go while publishing: {@code concurrent} churners are kept alive;
 * each subscribes, lives {@code lifetimeMillis} after its subscription is confirmed, closes
 * (close frame 1000, then the socket) and is replaced by a new one on a fresh channel.
 */
public record ChurnPlan(Protocol protocol, String token, int concurrent, long lifetimeMillis) {
}
