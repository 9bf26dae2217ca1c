package dev.switchboard.security;

/** A token failed verification; the message says why and is safe to show to the client. */
public final class TokenRejectedException extends Exception {
    public TokenRejectedException(String message) {
        super(message);
    }

    public TokenRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
