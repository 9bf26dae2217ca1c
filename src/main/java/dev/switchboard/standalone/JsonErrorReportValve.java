package dev.switchboard.standalone;

import dev.switchboard.api.StatusPhrases;
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
 * The embedded Tomcat's error report: {@code {"error": CODE, "message": TEXT}} (the shape of
 * docs/http-api.md) instead of Tomcat's HTML page with its stack trace and version, for every
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
                writer.write(StatusPhrases.body(status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.DEBUG, "Could not write the JSON error report for status " + status, e);
        }
    }
}
