package dev.switchboard.api;

import dev.switchboard.security.JsonResponseWriter;
import jakarta.inject.Inject;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The application's error page (web.xml {@code <error-page>}): an error the container raises
 * inside the application (an unknown static file, a method a servlet does not support, an
 * uncaught exception) is answered {@code {"error", "message"}} as the API's own refusals are,
 * on every container, instead of the container's HTML page. A fixed phrase per status: nothing
 * of the request or the exception is echoed. What a container refuses before the application sees
 * the request never gets here (docs/security.md "Logs, error pages and origins").
 */
@WebServlet(urlPatterns = ErrorPageServlet.PATH)
public final class ErrorPageServlet extends HttpServlet {

    static final String PATH = "/_error";

    @Inject
    private transient JsonResponseWriter responses;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 ? value : 404; // asked for directly: not a page
        response.resetBuffer();
        responses.writeError(response, status, StatusPhrases.code(status), StatusPhrases.message(status));
    }
}
