package dev.switchboard.api;

import dev.switchboard.broker.Broker;
import dev.switchboard.security.JsonResponseWriter;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/**
 * {@code /health/live} (200 while the process serves) and {@code /health/ready} (200, or 503 while
 * draining for shutdown, and in cluster mode while Redis is out of reach). No authentication: load
 * balancers call these.
 */
@WebServlet(urlPatterns = "/health/*")
public final class HealthServlet extends HttpServlet {

    @Inject
    private transient Readiness readiness;
    @Inject
    private transient JsonResponseWriter responses;
    @Inject
    private transient Broker broker;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if ("/live".equals(path)) {
            write(response, 200, "UP");
        } else if ("/ready".equals(path)) {
            if (!readiness.isReady()) {
                write(response, 503, "DRAINING");
            } else if (!broker.clusterUp()) {
                write(response, 503, "CLUSTER_UNAVAILABLE");
            } else {
                write(response, 200, "UP");
            }
        } else {
            response.sendError(404);
        }
    }

    private void write(HttpServletResponse response, int status, String state) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        responses.write(response, status, Map.of("status", state));
    }
}
