package dev.switchboard.broker;

/**
 * A cluster part (the shared topic log, channel claims, inbox or bus) could not be reached in
 * time. Callers answer with their protocol's "try again later" (HTTP 503 with Retry-After, a
 * handshake 503, an {@code error} frame); nothing is half done that the caller must undo, unless
 * the method says so.
 */
public final class ClusterUnavailableException extends RuntimeException {

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public ClusterUnavailableException(String message) {
        super(message);
    }
}
