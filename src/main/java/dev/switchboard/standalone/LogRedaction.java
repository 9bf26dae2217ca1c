package dev.switchboard.standalone;

import java.util.Locale;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Pattern;

/**
 * Keeps tokens and tickets out of every log line the embedded server writes, the container's own
 * included (docs/protocol.md, Tokens). Tomcat logs a rejected request target whole ("Invalid
 * character found in the request target [/ws/channel?token=eyJ...]") and a query parameter it
 * cannot decode with its value ("Parameter [token] with value [eyJ...]"), at INFO, before the
 * application sees the request. This filter sits on the root logger's handlers, so it sees every
 * record of Tomcat and of the application, and rewrites the message (parameters formatted in)
 * and any exception message that holds a secret. Records without one pass untouched.
 */
final class LogRedaction implements Filter {

    static final String REDACTED = "[redacted]";

    /** {@code token=...}, {@code ticket=...} and friends in a query string or text. */
    private static final Pattern QUERY_SECRET = Pattern.compile(
            "(?i)((?:access_token|token|ticket|passcode)=)[^&\\s\\]\"'<>]*");
    /** Tomcat's Parameters: "Parameter [token] with value [...]" (the value may be cut at 128 characters). */
    private static final Pattern PARAMETER_VALUE = Pattern.compile(
            "(?i)(Parameter \\[(?:access_token|token|ticket|passcode)\\] with value \\[)[^\\]]*");
    /** Anything shaped like a JWS in compact form, wherever it appears. */
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*");
    /** An Authorization header's credential. */
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

    private final Filter next;

    private LogRedaction(Filter next) {
        this.next = next;
    }

    /** Puts the filter in front of whatever filter each of the root logger's handlers has now. */
    static void installOnRootHandlers() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            if (!(handler.getFilter() instanceof LogRedaction)) {
                handler.setFilter(new LogRedaction(handler.getFilter()));
            }
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = new SimpleFormatter().formatMessage(record);
        if (mayHoldSecret(message)) {
            record.setMessage(redact(message).replace("{", "'{'")); // formatted already: no more parameters
            record.setParameters(null);
            record.setResourceBundle(null);
        }
        if (record.getThrown() != null && chainMayHoldSecret(record.getThrown())) {
            record.setThrown(redacted(record.getThrown()));
        }
        return next == null || next.isLoggable(record);
    }

    /** {@code text} with every secret replaced by {@link #REDACTED}. */
    static String redact(String text) {
        if (text == null || !mayHoldSecret(text)) {
            return text;
        }
        String result = PARAMETER_VALUE.matcher(text).replaceAll("$1" + REDACTED);
        result = QUERY_SECRET.matcher(result).replaceAll("$1" + REDACTED);
        result = JWT.matcher(result).replaceAll(REDACTED);
        return BEARER.matcher(result).replaceAll("$1" + REDACTED);
    }

    /** A cheap first look, so that ordinary records cost no regular expression. */
    private static boolean mayHoldSecret(String text) {
        if (text == null) {
            return false;
        }
        if (text.contains("eyJ")) {
            return true;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.contains("token") || lower.contains("ticket") || lower.contains("passcode")
                || lower.contains("bearer");
    }

    private static boolean chainMayHoldSecret(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (mayHoldSecret(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    /** A stand-in with the same class name, stack and causes, and redacted messages. */
    private static Throwable redacted(Throwable original) {
        Throwable cause = original.getCause() == null || original.getCause() == original ? null
                : redacted(original.getCause());
        Throwable copy = new RedactedThrowable(original.getClass().getName() + ": " + redact(original.getMessage()),
                cause);
        copy.setStackTrace(original.getStackTrace());
        return copy;
    }

    /** What a logged exception whose message held a secret becomes. */
    static final class RedactedThrowable extends Exception {
        private static final long serialVersionUID = 1L;

        RedactedThrowable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage(); // the original class name leads, as in the original's toString()
        }
    }
}
