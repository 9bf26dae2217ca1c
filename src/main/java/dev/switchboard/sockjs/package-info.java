/**
 * The SockJS 0.3.3 protocol, for browsers behind networks that block WebSocket: its frames and
 * escaping ({@link dev.switchboard.sockjs.SockJsFrames}), the envelopes of the HTTP receiving
 * transports ({@link dev.switchboard.sockjs.ReceiverFraming}), and the SockJS session over HTTP
 * ({@link dev.switchboard.sockjs.SockJsSession}): a {@code FrameSink} whose frames leave through a
 * succession of receiving requests, kept by id in {@link dev.switchboard.sockjs.SockJsSessions}.
 *
 * <p>Knows nothing of servlets or sockets (the servlet and WebSocket adapters are in
 * {@code dev.switchboard.transport}); imports {@code dev.switchboard.session} for the sink it
 * implements and {@code dev.switchboard.broker} for close codes. A SockJS session carries a native or
 * STOMP session unchanged: same outbound queue, limits and heart-beats as over WebSocket.
 */
package dev.switchboard.sockjs;
