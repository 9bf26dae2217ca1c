package dev.switchboard.bench.client;

/** What a connection does once open. */
public enum Role {
    /** Connects, authenticates and then only stays open: idle capacity and handshake rate. */
    IDLE,
    /** Subscribes to the benchmark topic and checks every message it receives. */
    SUBSCRIBER,
    /** Publishes in band (native {@code publish} or STOMP SEND); subscribes to nothing. */
    PUBLISHER
}
