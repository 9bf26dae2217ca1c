package dev.switchboard.api;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.security.ApiRateLimit;
import dev.switchboard.security.JsonResponseWriter;
import dev.switchboard.security.ProxyTrust;
import dev.switchboard.security.Tickets;
import dev.switchboard.security.TokenRejectedException;
import dev.switchboard.security.TokenVerifier;
import dev.switchboard.security.VerifiedToken;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/v1/tickets} (CONTRACT.md section 7): a browser or app trades its own token,
 * sent as {@code Authorization: Bearer}, for a single-use ticket to put in a WebSocket or SockJS
 * URL in place of the token: 201 {@code {"ticket","expiresIn"}} (seconds, at most 30). Not the API
 * key: a ticket stands for a user. Any verified token will do, whatever its roles.
 */
@WebServlet(urlPatterns = "/api/v1/tickets")
public final class TicketServlet extends HttpServlet {

    private static final Logger LOG = System.getLogger(TicketServlet.class.getName());
    private static final String BEARER = "bearer ";

    // Field injection: servlet containers create servlets themselves, so CDI can only inject fields.
    @Inject
    private transient TokenVerifier verifier;
    @Inject
    private transient Tickets tickets;
    @Inject
    private transient JsonResponseWriter responses;
    @Inject
    private transient ApiRateLimit rateLimit;
    @Inject
    private transient ProxyTrust proxies;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!request.getMethod().equals("POST")) {
            response.setHeader("Allow", "POST");
            responses.writeError(response, 405, "method_not_allowed", "use POST here");
            return;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            responses.writeError(response, 401, "unauthorized", "Authorization: Bearer <the user's own token> required");
            return;
        }
        String token = authorization.substring(BEARER.length()).trim();
        VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenRejectedException e) {
            LOG.log(Level.DEBUG, "Ticket refused for token {0}: {1}", TokenVerifier.fingerprint(token), e.getMessage());
            if (!rateLimit.allowAddress(RevocationServlet.clientAddress(request, proxies))) {
                RevocationServlet.tooManyRequests(response, rateLimit, responses);
                return;
            }
            responses.writeError(response, 401, "unauthorized", e.getMessage());
            return;
        }
        // The API's per-key budget, the key being the user: one user cannot fill the ticket store.
        if (!rateLimit.allowCaller(verified.subject())) {
            RevocationServlet.tooManyRequests(response, rateLimit, responses);
            return;
        }
        Optional<Tickets.Issued> issued;
        try {
            issued = tickets.issue(verified);
        } catch (ClusterUnavailableException e) {
            response.setHeader("Retry-After", "1");
            responses.writeError(response, 503, "unavailable", "the cluster is unavailable; try again shortly");
            return;
        }
        if (issued.isEmpty()) {
            response.setHeader("Retry-After", "1");
            responses.writeError(response, 503, "unavailable", "too many unused tickets; try again shortly");
            return;
        }
        // A ticket is a credential: no cache on the way may keep it.
        response.setHeader("Cache-Control", "no-store");
        long seconds = Math.max(1, (issued.get().expiresIn().toMillis() + 999) / 1000);
        responses.write(response, 201, Map.of("ticket", issued.get().ticket(), "expiresIn", seconds));
    }
}
