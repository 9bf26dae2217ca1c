package dev.switchboard.bench.client;

/** The wire protocol a load-generator connection speaks. */
public enum Protocol {
    /** Switchboard's JSON frames on {@code /ws/channel} (welcome, subscribe/subscribed, publish, message). */
    NATIVE,
    /** STOMP 1.2 on {@code /ws/stomp} (CONNECT with a bearer token, SUBSCRIBE with a receipt, SEND). */
    STOMP
}
