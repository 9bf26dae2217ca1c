package dev.switchboard.client;

/**
 * What the client does after a connection closed or a handshake was refused, following the close
 * code catalogue of docs/protocol.md, Close codes.
 */
enum RetryDecision {
    /** Reconnect after a backoff delay and resume every subscription. */
    RETRY,
    /**
     * Reconnect only if the token supplier now yields a different token (1008 token expired,
     * 401 at the handshake); otherwise stop.
     */
    RETRY_WITH_NEW_TOKEN,
    /** Do not reconnect: an application decision, an operator's, or a client bug. */
    STOP;

    /** After the server (or the network) closed an open session with {@code code}. */
    static RetryDecision forCloseCode(int code) {
        return switch (code) {
            case 1000 -> STOP;                  // normal closure
            case 1003, 1009 -> STOP;            // the client sent binary or a too large frame: a bug, retrying repeats it
            case 1008 -> RETRY_WITH_NEW_TOKEN;  // token expired while connected (or forbidden / abuse)
            case 4000 -> STOP;                  // an operator disconnected this channel
            case 4009 -> STOP;                  // replaced by a newer session on the same channel: the other one won
            // 1001 server stopping, 1006 connection lost, 1011 server fault, 1013 the node cannot reach
            // Redis, 4008 slow consumer, 4010 messages lost between nodes (the resume then answers
            // recovered: false), 4029 rate limited, and codes this client does not know: back off and come back
            default -> RETRY;
        };
    }

    /** After a refused handshake with HTTP {@code status} (0: no status, e.g. connection refused). */
    static RetryDecision forHandshakeStatus(int status) {
        return switch (status) {
            case 400, 403 -> STOP;              // malformed request, origin or channel not permitted
            case 401 -> RETRY_WITH_NEW_TOKEN;   // bad or expired token
            // 409 channel busy (the old session may still be closing), 429 rate limited, 5xx,
            // and no answer at all: retryable
            default -> status >= 400 && status < 500 && status != 409 && status != 429 ? STOP : RETRY;
        };
    }
}
