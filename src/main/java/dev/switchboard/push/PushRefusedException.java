package dev.switchboard.push;

/**
 * A push {@link Pusher} refused before anything was sent or kept: a bad topic name or user
 * destination, missing data, or data past the limits of docs/http-api.md. The HTTP API answers it
 * with 400 {@code bad_request} or, for {@link Reason#TOO_LARGE}, 413 {@code too_large}, and the
 * message text as its {@code message}.
 *
 * <p>An {@link IllegalArgumentException}: it means the caller passed something the rules do not
 * allow, and retrying the same push cannot succeed.
 */
public final class PushRefusedException extends IllegalArgumentException {

    /** Which rule the push broke. */
    public enum Reason {
        /** A name, destination or data that the rules do not allow (HTTP 400). */
        INVALID,
        /** Data whose JSON is longer than {@link Pusher#MAX_DATA_BYTES} (HTTP 413). */
        TOO_LARGE
    }

    private final Reason reason;

    PushRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
