package dev.switchboard.session;

/** The {@code code} values of native {@code error} frames (docs/protocol.md, Error codes). */
public enum ErrorCode {
    BAD_REQUEST("bad_request"),
    FORBIDDEN("forbidden"),
    NOT_FOUND("not_found"),
    TOO_LARGE("too_large"),
    RATE_LIMITED("rate_limited"),
    RECOVERY_FAILED("recovery_failed"),
    INTERNAL("internal");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
