package dev.switchboard.sockjs;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The SockJS sessions over HTTP of one endpoint, by the id the client chose. Eviction: a session
 * without a receiving request for the disconnect delay is closed, and a closed one is removed the
 * disconnect delay later, so the map holds at most what was opened in the last two delays (and
 * opening is subject to the handshake rate limit). Thread safe.
 */
public final class SockJsSessions {

    /** Longest session id taken; the protocol sets none, sockjs-client uses 8 characters. */
    public static final int MAX_ID_LENGTH = 128;

    private final ConcurrentMap<String, SockJsSession> sessions = new ConcurrentHashMap<>();
    private final SockJsSettings settings;
    private final ScheduledExecutorService scheduler;
    /** One per endpoint: a topic message sent to many of its sessions is escaped once (see there). */
    private final QuotedTexts quotedTexts = new QuotedTexts();

    public SockJsSessions(SockJsSettings settings, ScheduledExecutorService scheduler) {
        this.settings = settings;
        this.scheduler = scheduler;
    }

    /** Whether {@code segment} may be a server or session id in a URL: non-empty, no dot (SockJS 0.3.3). */
    public static boolean isValidId(String segment) {
        return !segment.isEmpty() && segment.length() <= MAX_ID_LENGTH && segment.indexOf('.') < 0;
    }

    public Optional<SockJsSession> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /**
     * The session {@code id}, or a new one made by {@code open} if there is none; {@code open} gets
     * the new session and returns its handler, or null to refuse (then the session is removed); the
     * handler is bound and started before this returns. Two requests racing to open one id get the same session; the loser's
     * {@code open} is not called.
     */
    public Optional<SockJsSession> findOrOpen(String id, Function<SockJsSession, SockJsSession.Handler> open) {
        SockJsSession existing = sessions.get(id);
        if (existing != null) {
            return Optional.of(existing);
        }
        SockJsSession[] created = new SockJsSession[1];
        SockJsSession session = sessions.computeIfAbsent(id, key -> {
            SockJsSession fresh = new SockJsSession(key, settings, scheduler, quotedTexts, () -> forget(key));
            created[0] = fresh;
            return fresh;
        });
        if (session != created[0]) {
            return Optional.of(session);
        }
        // Opened outside computeIfAbsent: opening runs the handshake checks and may call the cluster.
        SockJsSession.Handler handler;
        try {
            handler = open.apply(session);
        } catch (RuntimeException e) {
            sessions.remove(id, session);
            throw e;
        }
        if (handler == null) {
            sessions.remove(id, session);
            return Optional.empty();
        }
        session.bind(handler);
        handler.start();
        return Optional.of(session);
    }

    /** Sessions held now, closed ones awaiting removal included. */
    public int size() {
        return sessions.size();
    }

    private void forget(String id) {
        sessions.computeIfPresent(id, (key, session) -> session.isClosed() ? null : session);
    }
}
