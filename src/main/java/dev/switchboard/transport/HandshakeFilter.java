package dev.switchboard.transport;

import dev.switchboard.security.AdmittedConnection;
import dev.switchboard.security.AuthorizedClient;
import dev.switchboard.security.HandshakeDecision;
import dev.switchboard.security.HandshakeGuard;
import dev.switchboard.security.HandshakeRequest;
import dev.switchboard.security.JsonResponseWriter;
import dev.switchboard.security.ProxyTrust;
import dev.switchboard.security.SessionAdmission;
import dev.switchboard.security.SessionLease;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.Optional;

/**
 * Checks WebSocket handshakes before the container upgrades them, so that every refusal is an HTTP
 * status with a JSON body (docs/protocol.md, Handshake) on every container, never an opened-then-closed
 * socket. A permitted request continues to the container's WebSocket upgrade with the
 * {@link AuthorizedClient} as its user principal; if the upgrade then does not happen, the
 * channel reservation is given back.
 *
 * <p>The same holds for the {@code websocket} transport of the SockJS endpoints
 * ({@code /sockjs/channel/<server>/<session>/websocket} is checked as {@code /ws/channel},
 * {@code /sockjs/stomp/...} as {@code /ws/stomp}); their HTTP transports pass through to
 * {@link SockJsServlet}.
 *
 * <p>A plain GET (no {@code Upgrade: websocket}) gets the same checks without reserving anything,
 * and 426 if they pass: browsers only see close code 1006 for a refused upgrade, so the console
 * repeats the request this way to show the user the reason.
 */
@WebFilter(urlPatterns = {"/ws/channel", "/ws/stomp", "/sockjs/*"}, asyncSupported = true)
public final class HandshakeFilter extends HttpFilter {

    // Field injection: servlet containers create filters themselves, so CDI can only inject fields.
    @Inject
    private transient HandshakeGuard guard;
    @Inject
    private transient JsonResponseWriter responses;
    @Inject
    private transient ProxyTrust proxies;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/sockjs/") && !(upgrade && SockJsPaths.isWebSocketTransport(path))) {
            chain.doFilter(request, response); // SockJS over HTTP: SockJsServlet checks what opens a session
            return;
        }
        HandshakeRequest handshake = HandshakeRequests.of(request, proxies);
        if (path.equals("/ws/stomp") || path.startsWith("/sockjs/stomp/")) {
            // STOMP clients authenticate in CONNECT; only the address's rate and the origin are checked here.
            Optional<HandshakeDecision.Refuse> refused = guard.screen(handshake);
            if (refused.isPresent()) {
                responses.writeError(response, refused.get().status(), refused.get().error(), refused.get().message());
                return;
            }
            if (!upgrade) {
                chain.doFilter(request, response);
                return;
            }
            SessionAdmission.Admission admitted = guard.admitAnonymous(handshake);
            if (admitted instanceof SessionAdmission.Admission.Refused limit) {
                responses.writeError(response, limit.refusal().status(), limit.refusal().error(),
                        limit.refusal().message());
                return;
            }
            SessionLease lease = ((SessionAdmission.Admission.Admitted) admitted).lease();
            // A ?ticket= is taken here (401 if used or expired); CONNECT then needs no token.
            Optional<HandshakeGuard.StompTicket> ticket = guard.stompTicket(handshake);
            if (ticket.isPresent() && ticket.get() instanceof HandshakeGuard.StompTicket.Refused refusedTicket) {
                lease.release();
                HandshakeDecision.Refuse refuse = refusedTicket.refusal();
                responses.writeError(response, refuse.status(), refuse.error(), refuse.message());
                return;
            }
            AdmittedConnection connection = new AdmittedConnection(lease, ticket
                    .map(admittedTicket -> ((HandshakeGuard.StompTicket.Admitted) admittedTicket).client()).orElse(null));
            try {
                chain.doFilter(new PrincipalRequest(request, connection), response);
            } finally {
                if (response.getStatus() != HttpServletResponse.SC_SWITCHING_PROTOCOLS) {
                    connection.lease().release();
                }
            }
            return;
        }
        HandshakeDecision decision = upgrade ? guard.check(handshake) : guard.probe(handshake);
        if (decision instanceof HandshakeDecision.Refuse refuse) {
            responses.writeError(response, refuse.status(), refuse.error(), refuse.message());
            return;
        }
        AuthorizedClient authorized = ((HandshakeDecision.Permit) decision).client();
        if (!upgrade) {
            responses.writeError(response, 426, "upgrade_required", "the handshake would be accepted; connect with WebSocket");
            return;
        }
        try {
            chain.doFilter(new PrincipalRequest(request, authorized), response);
        } finally {
            if (response.getStatus() != HttpServletResponse.SC_SWITCHING_PROTOCOLS) {
                guard.release(authorized);
            }
        }
    }

    /** The upgrade request as the container's WebSocket layer sees it: with our principal. */
    private static final class PrincipalRequest extends HttpServletRequestWrapper {
        private final Principal client;

        PrincipalRequest(HttpServletRequest request, Principal client) {
            super(request);
            this.client = client;
        }

        @Override
        public Principal getUserPrincipal() {
            return client;
        }

        @Override
        public String getRemoteUser() {
            return client.getName();
        }
    }
}
