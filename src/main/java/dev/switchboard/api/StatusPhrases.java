package dev.switchboard.api;

/**
 * The fixed {@code error} code and {@code message} for an HTTP status that the container, not
 * the application, decided: one table for the WAR's error page ({@link ErrorPageServlet}) and
 * the standalone's error report valve. Fixed phrases, so nothing of the request (which may hold a
 * token) or of an exception is ever echoed, and no escaping is needed.
 */
public final class StatusPhrases {

    private StatusPhrases() {
    }

    /** The {@code error} code of the JSON body for {@code status}. */
    public static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "timeout";
            case 413, 414, 431 -> "too_large";
            case 429 -> "rate_limited";
            case 501 -> "not_implemented";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "bad_request";
        };
    }

    /** The {@code message} of the JSON body for {@code status}. */
    public static String message(int status) {
        return switch (status) {
            case 400 -> "the request is malformed";
            case 401 -> "authentication required";
            case 403 -> "forbidden";
            case 404 -> "no such resource";
            case 405 -> "method not allowed";
            case 408 -> "the request took too long";
            case 413 -> "the request is too large";
            case 414 -> "the request target is too long";
            case 431 -> "the request headers are too large";
            case 429 -> "too many requests";
            case 501 -> "not implemented";
            case 503 -> "the service is unavailable";
            default -> status >= 500 ? "internal error" : "the request was refused";
        };
    }

    /** The whole body, {@code {"error": CODE, "message": TEXT}}. */
    public static String body(int status) {
        return "{\"error\":\"" + code(status) + "\",\"message\":\"" + message(status) + "\"}";
    }
}
