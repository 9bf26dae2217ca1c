package dev.switchboard.broker;

/**
 * The catalogue of WebSocket close codes the server uses (docs/protocol.md, Close codes), with the
 * behaviour a client is expected to show. The broker names a reason; transports turn it into
 * the wire code.
 */
public enum CloseCode {
    /** Normal closure. Client: do not reconnect unless it wants to. */
    NORMAL(1000, "normal"),
    /** Server shutting down or undeploying. Client: reconnect with backoff, to another node if any. */
    SHUTDOWN(1001, "server shutting down"),
    /** Binary frame on the JSON endpoint. Client bug: do not retry unchanged. */
    UNSUPPORTED_DATA(1003, "unsupported data"),
    /** Token expired while connected, forbidden action or abuse. Client: get a new token first. */
    POLICY_VIOLATION(1008, "policy violation"),
    /** The session's token expired and no refresh came in time. Client: get a new token, reconnect and resume. */
    TOKEN_EXPIRED(1008, "token expired"),
    /** The session's token or user was revoked through the HTTP API. Client: do not reconnect with that token. */
    REVOKED(1008, "revoked"),
    /** Inbound frame over the configured limit. Client bug: do not retry unchanged. */
    TOO_BIG(1009, "message too big"),
    /** Server fault. Client: reconnect with backoff. */
    INTERNAL_ERROR(1011, "internal error"),
    /**
     * Cluster mode: the node cannot reach Redis now, so it cannot do what the client asked (a STOMP
     * SEND or SUBSCRIBE, which have no non-fatal error). An addition to the contract's table (the
     * WebSocket "try again later"). Client: reconnect with backoff and resume.
     */
    TRY_AGAIN_LATER(1013, "cluster unavailable, try again later"),
    /** Disconnected by an operator through the HTTP API. Client: do not reconnect automatically. */
    OPERATOR(4000, "disconnected by operator"),
    /**
     * The peer answered no heart-beat ping for two intervals (half-open connection). An addition to
     * the contract's table. Client: reconnect and resume.
     */
    PEER_SILENT(4001, "no heart-beat answer"),
    /** Slow consumer: outbound buffer or send time limit exceeded. Client: reconnect and resume. */
    SLOW_CONSUMER(4008, "slow consumer"),
    /** Replaced by a newer session on the same channel. Client: do not reconnect (the other one won). */
    REPLACED(4009, "replaced by a newer session"),
    /**
     * Cluster mode: messages of a topic the session follows were lost between the nodes and cannot
     * be read back (Redis lost them), so the session would otherwise see a silent gap. An addition
     * to the contract's table. Client: reconnect and resubscribe with {@code since}; the answer is
     * {@code recovered: false}.
     */
    STREAM_GAP(4010, "messages lost; resubscribe"),
    /** Rate limited. Client: back off before reconnecting. */
    RATE_LIMITED(4029, "rate limited");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    /** The numeric close code sent on the wire. */
    public int code() {
        return code;
    }

    /** A short reason phrase, safe to send to the client (no user data). */
    public String reason() {
        return reason;
    }
}
