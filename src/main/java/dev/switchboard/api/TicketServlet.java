package dev.switchboard.api;

import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.security.HandshakeGuard;
import dev.switchboard.security.HandshakeRequest;
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
 * {@code POST /api/v1/tickets} (docs/security.md, Connection tickets): a browser or app trades its own token,
 * sent as {@code Authorization: Bearer}, for a single-use ticket to put in a WebSocket or SockJS
 * URL in place of the token: 201 {@code {"ticket","expiresIn"}} (seconds, at most 30). Not the API
 * key: a ticket stands for a user. Any verified token will do, whatever its roles. A browser
 * page may ask from any origin the WebSocket handshakes accept ({@code SWITCHBOARD_ALLOWED_ORIGINS}
 * or same origin): CORS preflight and headers for those, 403 for others.
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
    private transient ApiGate gate;
    @Inject
    private transient ProxyTrust proxies;
    @Inject
    private transient HandshakeGuard guard;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // A browser page asks for its ticket itself: the origins that may open a WebSocket may ask (CORS).
        String origin = request.getHeader("Origin");
        if (!allowsOrigin(request, origin)) {
            responses.writeError(response, 403, "forbidden", "origin not allowed");
            return;
        }
        if (origin != null) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Vary", "Origin");
        }
        if (request.getMethod().equals("OPTIONS")) {
            response.setHeader("Allow", "POST, OPTIONS");
            response.setHeader("Access-Control-Allow-Methods", "POST");
            response.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        if (!request.getMethod().equals("POST")) {
            response.setHeader("Allow", "POST, OPTIONS");
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
            if (gate.withinAddressRate(request, response)) {
                responses.writeError(response, 401, "unauthorized", e.getMessage());
            }
            return;
        }
        // The API's per-key budget, the key being the user: one user cannot fill the ticket store.
        if (!gate.withinCallerRate(verified.subject(), response)) {
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

    /** The origin policy of the WebSocket handshakes: no {@code Origin}, same origin, or an allowed one. */
    private boolean allowsOrigin(HttpServletRequest request, String origin) {
        ProxyTrust.ClientView client = proxies.view(request.getRemoteAddr(), request.getScheme(),
                request.getHeader("Host"), request::getHeader);
        return guard.allowsOrigin(new HandshakeRequest(client.address(), origin, client.scheme(), client.host(), null,
                null));
    }
}
