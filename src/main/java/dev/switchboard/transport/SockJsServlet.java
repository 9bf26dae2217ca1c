package dev.switchboard.transport;

import dev.switchboard.broker.CloseCode;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.protocol.NativeFrameCodec;
import dev.switchboard.security.AuthorizedClient;
import dev.switchboard.security.HandshakeDecision;
import dev.switchboard.security.HandshakeGuard;
import dev.switchboard.security.HandshakeRequest;
import dev.switchboard.security.JsonResponseWriter;
import dev.switchboard.security.ProxyTrust;
import dev.switchboard.security.SessionAdmission;
import dev.switchboard.security.SessionLease;
import dev.switchboard.security.TicketClient;
import dev.switchboard.session.NativeProtocol;
import dev.switchboard.session.NativeSession;
import dev.switchboard.session.SessionServices;
import dev.switchboard.session.StompProtocol;
import dev.switchboard.sockjs.ReceiverFraming;
import dev.switchboard.sockjs.SockJsMessages;
import dev.switchboard.sockjs.SockJsSession;
import dev.switchboard.sockjs.SockJsSessions;
import dev.switchboard.sockjs.SockJsSettings;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The SockJS 0.3.3 endpoints over HTTP: {@code /sockjs/stomp} (STOMP inside) and
 * {@code /sockjs/channel} (the native protocol; {@code token} and {@code channelId} in the query of
 * every request). docs/sockjs.md lists what each URL answers. The {@code websocket} transport is
 * served by {@link SockJsStompEndpoint} and {@link SockJsChannelEndpoint}.
 *
 * <p>A SockJS session is a session like a WebSocket one: the request that opens it passes the same
 * handshake checks ({@link HandshakeGuard}, refusals as HTTP statuses with a JSON body), and the
 * protocol session behind it has the same outbound queue, limits and heart-beats. Receiving
 * requests are asynchronous ({@link HttpReceiver}): no thread waits for a poll.
 */
@WebServlet(urlPatterns = "/sockjs/*", asyncSupported = true)
public final class SockJsServlet extends HttpServlet {

    private static final String NO_CACHE = "no-store, no-cache, no-transform, must-revalidate, max-age=0";
    private static final String ONE_YEAR = "public, max-age=31536000";
    private static final String SOCKJS_CLIENT = "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js";

    // Field injection: servlet containers create servlets themselves, so CDI can only inject fields.
    @Inject
    private transient HandshakeGuard guard;
    @Inject
    private transient JsonResponseWriter responses;
    @Inject
    private transient ProxyTrust proxies;
    @Inject
    private transient NativeProtocol nativeProtocol;
    @Inject
    private transient NativeFrameCodec codec;
    @Inject
    private transient StompProtocol stompProtocol;
    @Inject
    private transient SessionServices services;
    @Inject
    private transient SwitchboardConfig config;
    @Inject
    private transient SockJsMessages messages;

    private transient SockJsSessions stompSessions;
    private transient SockJsSessions channelSessions;
    private transient SockJsSettings settings;
    private transient IframePage iframePage;

    @Override
    public void init() {
        settings = new SockJsSettings(config.sockJs().disconnectDelayMs(), config.sockJs().streamBytes(),
                config.heartbeatMs());
        stompSessions = new SockJsSessions(settings, services.scheduler());
        channelSessions = new SockJsSessions(settings, services.scheduler());
        iframePage = new IframePage(getServletContext().getContextPath() + SOCKJS_CLIENT);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String pathInfo = request.getPathInfo() == null ? "" : request.getPathInfo();
        int slash = pathInfo.indexOf('/', 1);
        String endpoint = slash < 0 ? pathInfo : pathInfo.substring(0, slash);
        String rest = slash < 0 ? "" : pathInfo.substring(slash);
        boolean channel = endpoint.equals("/channel");
        // The container merges "//" in the path info; SockJS 0.3.3 wants 404 for empty path parts
        // (BaseUrlGreeting.test_notFound: "//", "///").
        if (!channel && !endpoint.equals("/stomp") || request.getRequestURI().contains("//")) {
            notFound(response);
            return;
        }
        // SockJS is UTF-8 throughout. jsonp_send's form (accept-charset="UTF-8") arrives with a
        // Content-Type naming no charset, which a container decodes as ISO-8859-1; this must be set
        // before the first getParameter (allowOrigin reads the token), which parses a form body.
        if (request.getCharacterEncoding() == null) {
            request.setCharacterEncoding(StandardCharsets.UTF_8.name());
        }
        allowOrigin(request, response);
        String method = request.getMethod();
        switch (rest) {
            case "", "/" -> {
                if (allow(method, response, "GET")) {
                    text(response, 200, "Welcome to SockJS!\n");
                }
            }
            case "/info" -> {
                if (method.equals("OPTIONS")) {
                    preflight(request, response, "OPTIONS, GET");
                } else if (allow(method, response, "GET")) {
                    info(request, response, channel);
                }
            }
            case "/websocket" -> {
                if (allow(method, response, "GET")) {
                    text(response, 400, "Can \"Upgrade\" only to \"WebSocket\".");
                }
            }
            default -> {
                if (IframePage.isIframePath(rest)) {
                    if (allow(method, response, "GET")) {
                        limitFraming(response);
                        iframePage.serve(request, response);
                    }
                    return;
                }
                SockJsPaths.SessionPath session = SockJsPaths.session(rest);
                if (session == null) {
                    notFound(response);
                    return;
                }
                transport(request, response, channel ? channelSessions : stompSessions, channel, session);
            }
        }
    }

    private void transport(HttpServletRequest request, HttpServletResponse response, SockJsSessions sessions,
            boolean channel, SockJsPaths.SessionPath path) throws IOException {
        String method = request.getMethod();
        String transport = path.transport();
        boolean preflightable = transport.equals("xhr") || transport.equals("xhr_streaming")
                || transport.equals("xhr_send");
        if (preflightable && method.equals("OPTIONS")) {
            preflight(request, response, "OPTIONS, POST");
            return;
        }
        response.setHeader("Cache-Control", NO_CACHE);
        switch (transport) {
            case "xhr" -> {
                if (allow(method, response, "POST")) {
                    receive(request, response, sessions, channel, path.session(), ReceiverFraming.xhrPolling(), true);
                }
            }
            case "xhr_streaming" -> {
                if (allow(method, response, "POST")) {
                    receive(request, response, sessions, channel, path.session(), ReceiverFraming.xhrStreaming(),
                            false);
                }
            }
            case "eventsource" -> {
                if (allow(method, response, "GET")) {
                    receive(request, response, sessions, channel, path.session(), ReceiverFraming.eventSource(),
                            false);
                }
            }
            case "htmlfile", "jsonp" -> {
                if (!allow(method, response, "GET")) {
                    return;
                }
                String callback = request.getParameter("c");
                if (callback == null || callback.isEmpty()) {
                    text(response, 500, "\"callback\" parameter required");
                } else if (!ReceiverFraming.isValidCallback(callback)) {
                    text(response, 500, "invalid \"callback\" parameter");
                } else if (transport.equals("htmlfile")) {
                    limitFraming(response);
                    receive(request, response, sessions, channel, path.session(), ReceiverFraming.htmlFile(callback),
                            false);
                } else {
                    receive(request, response, sessions, channel, path.session(), ReceiverFraming.jsonp(callback), true);
                }
            }
            case "xhr_send", "jsonp_send" -> {
                if (allow(method, response, "POST")) {
                    send(request, response, sessions, path.session(), transport.equals("jsonp_send"));
                }
            }
            case "websocket" -> {
                // SockJS 0.3.3 WebsocketHttpErrors: a GET without a WebSocket upgrade is 400, other methods 405.
                if (allow(method, response, "GET")) {
                    text(response, 400, "Can \"Upgrade\" only to \"WebSocket\".");
                }
            }
            default -> notFound(response);
        }
    }

    /** A receiving request: opens the session if it is new, then waits for frames asynchronously. */
    private void receive(HttpServletRequest request, HttpServletResponse response, SockJsSessions sessions,
            boolean channel, String sessionId, ReceiverFraming framing, boolean polling) throws IOException {
        Function<SockJsSession, SockJsSession.Handler> open = channel
                ? fresh -> openChannelSession(request, response, fresh)
                : fresh -> openStompSession(request, response, fresh);
        Optional<SockJsSession> session;
        try {
            session = sessions.findOrOpen(sessionId, open);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (session.isEmpty()) {
            return; // refused: the answer is written
        }
        HttpReceiver receiver = HttpReceiver.start(request, response, framing, polling, settings.streamBytes(),
                2 * config.heartbeatMs() + settings.disconnectDelayMs());
        receiver.attachTo(session.get());
    }

    private SockJsSession.Handler openChannelSession(HttpServletRequest request, HttpServletResponse response,
            SockJsSession fresh) {
        HandshakeDecision decision = guard.check(HandshakeRequests.ofPageLoad(request, proxies));
        if (decision instanceof HandshakeDecision.Refuse refuse) {
            writeRefusal(response, refuse);
            return null;
        }
        AuthorizedClient client = ((HandshakeDecision.Permit) decision).client();
        NativeSession session = nativeProtocol.newSession(client.identity(), fresh);
        return SockJsHandlers.nativeSession(session, client.reservation(), client.lease(), codec,
                config.maxMessageBytes());
    }

    private SockJsSession.Handler openStompSession(HttpServletRequest request, HttpServletResponse response,
            SockJsSession fresh) {
        HandshakeRequest handshake = HandshakeRequests.ofPageLoad(request, proxies);
        Optional<HandshakeDecision.Refuse> refused = guard.screen(handshake);
        if (refused.isPresent()) {
            writeRefusal(response, refused.get());
            return null;
        }
        SessionAdmission.Admission admitted = guard.admitAnonymous(handshake);
        if (admitted instanceof SessionAdmission.Admission.Refused limit) {
            writeRefusal(response, limit.refusal());
            return null;
        }
        SessionLease lease = ((SessionAdmission.Admission.Admitted) admitted).lease();
        Optional<HandshakeGuard.StompTicket> ticket = guard.stompTicket(handshake);
        if (ticket.isEmpty()) {
            return SockJsHandlers.stompSession(stompProtocol.newSession(fresh, handshake.token(), handshake.channelId()),
                    lease);
        }
        if (ticket.get() instanceof HandshakeGuard.StompTicket.Refused refusedTicket) {
            lease.release();
            writeRefusal(response, refusedTicket.refusal());
            return null;
        }
        TicketClient client = ((HandshakeGuard.StompTicket.Admitted) ticket.get()).client();
        return SockJsHandlers.stompSession(stompProtocol.newAuthenticatedSession(fresh, client, handshake.channelId()),
                lease);
    }

    private void writeRefusal(HttpServletResponse response, HandshakeDecision.Refuse refuse) {
        try {
            responses.writeError(response, refuse.status(), refuse.error(), refuse.message());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code xhr_send} and {@code jsonp_send}: messages for an open session. */
    private void send(HttpServletRequest request, HttpServletResponse response, SockJsSessions sessions,
            String sessionId, boolean jsonp) throws IOException {
        Optional<SockJsSession> session = sessions.find(sessionId).filter(s -> !s.isClosed());
        if (session.isEmpty()) {
            notFound(response);
            return;
        }
        // A body may carry many messages (clients batch while a send is in flight), each escaped.
        int limit = Math.max(1024 * 1024, config.maxMessageBytes() * 6 + 1024);
        String payload;
        if (jsonp && isForm(request)) {
            String d = request.getParameter("d");
            payload = d == null ? "" : d;
        } else {
            byte[] body = request.getInputStream().readNBytes(limit + 1);
            if (body.length > limit) {
                responses.writeError(response, 413, "too_large", "a send may carry at most " + limit + " bytes");
                session.get().close(CloseCode.TOO_BIG);
                return;
            }
            payload = new String(body, StandardCharsets.UTF_8);
        }
        if (payload.isEmpty()) {
            text(response, 500, "Payload expected.");
            return;
        }
        Optional<List<String>> parsed = messages.parse(payload);
        if (parsed.isEmpty()) {
            text(response, 500, "Broken JSON encoding.");
            return;
        }
        session.get().receive(parsed.get());
        if (jsonp) {
            text(response, 200, "ok");
        } else {
            response.setStatus(204);
            response.setContentType("text/plain; charset=UTF-8");
        }
    }

    private static boolean isForm(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    /** {@code /info}; on the channel endpoint it also answers whether the query's handshake would pass. */
    private void info(HttpServletRequest request, HttpServletResponse response, boolean channel) throws IOException {
        response.setHeader("Cache-Control", NO_CACHE);
        if (channel) {
            HandshakeDecision decision = guard.probe(HandshakeRequests.of(request, proxies));
            if (decision instanceof HandshakeDecision.Refuse refuse) {
                responses.writeError(response, refuse.status(), refuse.error(), refuse.message());
                return;
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("websocket", true);
        info.put("cookie_needed", false);
        info.put("origins", List.of("*:*"));
        info.put("entropy", ThreadLocalRandom.current().nextLong(1L << 32));
        responses.write(response, 200, info);
    }

    /**
     * CORS (SockJS 0.3.3, "verify_cors"): the request's origin is echoed with credentials if the
     * origin policy allows it. Without an Origin, and for the origin "null" of a page opened from a
     * file (which a browser takes for a refusal when echoed), {@code *} without credentials: a
     * browser rejects credentials with {@code *}.
     */
    private void allowOrigin(HttpServletRequest request, HttpServletResponse response) {
        String origin = request.getHeader("Origin");
        response.setHeader("Vary", "Origin");
        if (origin == null || origin.equals("null")) {
            response.setHeader("Access-Control-Allow-Origin", "*");
        } else if (guard.allowsOrigin(HandshakeRequests.of(request, proxies))) {
            response.setHeader("Access-Control-Allow-Origin", origin);
            response.setHeader("Access-Control-Allow-Credentials", "true");
        }
    }

    /**
     * The iframe page and the htmlfile transport run in a frame of the page that uses SockJS, and their
     * own requests carry this server's origin: which pages may frame them is what enforces
     * SWITCHBOARD_ALLOWED_ORIGINS for those transports.
     */
    private void limitFraming(HttpServletResponse response) {
        String ancestors = guard.frameAncestors();
        if (ancestors != null) {
            response.setHeader("Content-Security-Policy", "frame-ancestors " + ancestors);
        }
    }

    private static void preflight(HttpServletRequest request, HttpServletResponse response, String methods) {
        response.setStatus(204);
        response.setHeader("Access-Control-Allow-Methods", methods);
        response.setHeader("Cache-Control", ONE_YEAR);
        response.setHeader("Access-Control-Max-Age", "31536000");
        response.setDateHeader("Expires", System.currentTimeMillis() + 31_536_000_000L);
        String headers = request.getHeader("Access-Control-Request-Headers");
        if (headers != null) {
            response.setHeader("Access-Control-Allow-Headers", headers);
        }
    }

    private static boolean allow(String method, HttpServletResponse response, String allowed) throws IOException {
        if (method.equals(allowed)) {
            return true;
        }
        // SockJS 0.3.3 "verify405": an Allow header, no Content-Type, no body.
        response.setStatus(405);
        response.setHeader("Allow", allowed);
        response.setContentLength(0);
        return false;
    }

    private static void notFound(HttpServletResponse response) throws IOException {
        text(response, 404, "Not found\n");
    }

    private static void text(HttpServletResponse response, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain; charset=UTF-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
