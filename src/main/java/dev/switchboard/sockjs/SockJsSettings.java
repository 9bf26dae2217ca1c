package dev.switchboard.sockjs;

/**
 * Limits of SockJS sessions over HTTP (docs/sockjs.md).
 *
 * @param disconnectDelayMs how long a session may go without a receiving request before it is closed,
 *                          and how long a closed session keeps answering with its close frame
 * @param streamBytes       bytes one streaming response carries before it is ended, so that the client
 *                          opens a new one (browsers keep a streamed body in memory)
 * @param heartbeatMs       the heart-beat interval ({@code SWITCHBOARD_HEARTBEAT_MS}): a streaming response
 *                          attached for half of it is ended at the next heart-beat, so every live client
 *                          shows itself with a new request at least once per interval
 */
public record SockJsSettings(long disconnectDelayMs, int streamBytes, long heartbeatMs) {
}
