package dev.switchboard.client;

/**
 * An {@code error} frame from the server (docs/protocol.md, Error codes): a refused or malformed request.
 * The session stays open.
 *
 * @param code      {@code bad_request}, {@code forbidden}, {@code not_found}, {@code too_large},
 *                  {@code rate_limited}, {@code recovery_failed} or {@code internal}
 * @param message   a human-readable text
 * @param refType   the offending request's {@code type}, or null if unknown
 * @param refTopic  the offending request's {@code topic}, or null
 */
public record ServerError(String code, String message, String refType, String refTopic) {
}
