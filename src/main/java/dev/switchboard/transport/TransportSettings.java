package dev.switchboard.transport;

/**
 * Container-facing limits of WebSocket connections.
 *
 * @param maxMessageBytes largest inbound text frame; larger ones close the session with 1009
 * @param sendTimeoutMs   how long one outbound send may take before the session counts as a slow consumer
 */
public record TransportSettings(int maxMessageBytes, long sendTimeoutMs) {
}
