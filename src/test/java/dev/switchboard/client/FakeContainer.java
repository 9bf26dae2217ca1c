package dev.switchboard.client;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JSR 356 container without a network, for {@link SwitchboardClient} tests: each connection
 * attempt opens a {@link FakeSession} (or fails with the next queued refusal), and the test plays
 * the server on it.
 */
final class FakeContainer {

    /** One open connection: what the client sent, and the server's side of it. */
    static final class FakeSession {
        final URI uri;
        final LinkedBlockingQueue<String> sent = new LinkedBlockingQueue<>();
        private final Endpoint endpoint;
        private final Session session;
        private volatile boolean open = true;
        private volatile MessageHandler.Whole<String> handler;

        @SuppressWarnings("unchecked")
        FakeSession(Endpoint endpoint, URI uri) {
            this.endpoint = endpoint;
            this.uri = uri;
            RemoteEndpoint.Basic remote = (RemoteEndpoint.Basic) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Basic.class}, (proxy, method, args) -> {
                        if (method.getName().equals("sendText") && args.length == 1) {
                            sent.add((String) args[0]);
                        }
                        return null;
                    });
            this.session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "addMessageHandler" -> {
                            handler = (MessageHandler.Whole<String>) args[args.length - 1];
                            yield null;
                        }
                        case "isOpen" -> open;
                        case "getBasicRemote" -> remote;
                        case "close" -> {
                            if (open) {
                                open = false;
                                endpoint.onClose((Session) proxy, args == null ? new CloseReason(
                                        CloseReason.CloseCodes.NORMAL_CLOSURE, "") : (CloseReason) args[0]);
                            }
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> null;
                    });
            endpoint.onOpen(session, null);
        }

        /** The server sends a text frame. */
        void receive(String frame) {
            handler.onMessage(frame);
        }

        /** The server (or the network) ends the connection with {@code code}. */
        void drop(int code) {
            open = false;
            endpoint.onClose(session, new CloseReason(CloseReason.CloseCodes.getCloseCode(code), "test"));
        }

        boolean isOpen() {
            return open;
        }

        /** The next frame the client sent, waiting up to 5 s. */
        String nextSent() throws InterruptedException {
            String frame = sent.poll(5, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("the client sent nothing within 5 s");
            }
            return frame;
        }
    }

    final LinkedBlockingQueue<FakeSession> sessions = new LinkedBlockingQueue<>();
    private final Deque<DeploymentException> refusals = new ArrayDeque<>();

    /** The next connection attempt fails with a refusal of HTTP {@code status}, as Tomcat's client reports it. */
    synchronized void refuseNext(int status) {
        refusals.add(new DeploymentException("The HTTP response from the server [" + status + "] did not permit"));
    }

    private synchronized DeploymentException nextRefusal() {
        return refusals.poll();
    }

    WebSocketContainer container() {
        return (WebSocketContainer) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {WebSocketContainer.class}, (proxy, method, args) -> {
                    if (method.getName().equals("connectToServer") && args[0] instanceof Endpoint endpoint) {
                        DeploymentException refusal = nextRefusal();
                        if (refusal != null) {
                            throw refusal;
                        }
                        FakeSession session = new FakeSession(endpoint, (URI) args[2]);
                        sessions.add(session);
                        return null;
                    }
                    return null;
                });
    }

    /** The next connection the client opened, waiting up to 5 s. */
    FakeSession nextSession() throws InterruptedException {
        FakeSession session = sessions.poll(5, TimeUnit.SECONDS);
        if (session == null) {
            throw new AssertionError("the client opened no connection within 5 s");
        }
        return session;
    }
}
