package dev.switchboard.standalone;

import java.io.IOException;
import java.io.Writer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * The embedded Tomcat's error report: {@code {"error": CODE, "message": TEXT}} (CONTRACT.md
 * section 4's shape) instead of Tomcat's HTML page with its stack trace and version, for every
 * refusal the container makes itself: a request target with raw non-ASCII bytes or an encoded
 * {@code /} or NUL, oversize headers or query, a negative Content-Length, TRACE, and errors the
 * application did not answer. The message is a fixed phrase per status: nothing of the request
 * (which may hold a token) and nothing of the exception is echoed.
 */
public final class JsonErrorReportValve extends ErrorReportValve {

    private static final Logger LOG = System.getLogger(JsonErrorReportValve.class.getName());

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As the HTML report: only errors, only once, only if nothing was written and I/O still works.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            if (status == 429 || status == 503) {
                response.setHeader("Retry-After", "1");
            }
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body(status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.DEBUG, "Could not write the JSON error report for status " + status, e);
        }
    }

    /** The JSON body for {@code status}: fixed texts, so no escaping is needed. */
    static String body(int status) {
        return "{\"error\":\"" + code(status) + "\",\"message\":\"" + message(status) + "\"}";
    }

    static String code(int status) {
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

    private static String message(int status) {
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
}
