package dev.switchboard.bench.client;

/** The wire protocol a load-generator connection speaks. */
public enum Protocol {
    /** Switchboard's JSON frames on {@code /ws/channel} (welcome, subscribe/subscribed, publish, message). */
    NATIVE,
    /** STOMP 1.2 on {@code /ws/stomp} (CONNECT with a bearer token, SUBSCRIBE with a receipt, SEND). */
    STOMP,
    /**
     * Socket.IO v4 (Engine.IO 4) on {@code /socket.io/?EIO=4&transport=websocket}: CONNECT with the
     * token as auth payload, a {@code subscribe} event answered by {@code subscribed}, {@code publish}
     * events; see {@link SocketIoPackets}.
     */
    SOCKETIO
}
