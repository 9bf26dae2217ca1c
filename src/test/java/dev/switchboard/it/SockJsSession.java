package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * One SockJS session driven the way sockjs-client's xhr-polling transport drives it: a POST to
 * {@code xhr} receives one frame, a POST to {@code xhr_send} sends a JSON array of messages.
 * Messages of an {@code a[...]} frame that the test has not taken yet are kept in order.
 */
final class SockJsSession {

    private final SockJsEndpoint endpoint;
    private final String serverId;
    private final String id;
    private final Deque<String> unread = new ArrayDeque<>();

    SockJsSession(SockJsEndpoint endpoint, String serverId, String id) {
        this.endpoint = endpoint;
        this.serverId = serverId;
        this.id = id;
    }

    String id() {
        return id;
    }

    SockJsEndpoint endpoint() {
        return endpoint;
    }

    /** This session's URL for {@code transport}, below the base URL. */
    String path(String transport) {
        return SockJsEndpoint.sessionPath(serverId, id, transport);
    }

    /** The same session under another server id (sockjs-client picks one per connection; the server must ignore it). */
    SockJsSession viaServerId(String otherServerId) {
        return new SockJsSession(endpoint, otherServerId, id);
    }

    /** Creates the session with a first poll, which must answer the open frame at once. */
    SockJsSession open() throws IOException, InterruptedException {
        SockJsEndpoint.Response opened = poll();
        assertThat(opened.status()).as("status of the opening poll: %s", opened).isEqualTo(200);
        assertThat(opened.body()).as("opening poll").isEqualTo("o\n");
        return this;
    }

    /** One xhr poll: the raw response (one frame and a newline). */
    SockJsEndpoint.Response poll(String... headers) throws IOException, InterruptedException {
        return endpoint.post(path("xhr"), null, headers);
    }

    /** One xhr_send of {@code messages}; must be accepted (204). */
    void send(String... messages) throws IOException, InterruptedException {
        SockJsEndpoint.Response sent = sendRaw(SockJsFrames.sendBody(messages));
        assertThat(sent.status()).as("xhr_send answer: %s", sent).isEqualTo(204);
    }

    /** One xhr_send with {@code body} as it is. */
    SockJsEndpoint.Response sendRaw(String body, String... headers) throws IOException, InterruptedException {
        return endpoint.post(path("xhr_send"), body, headers);
    }

    /**
     * The next message, polling as long as needed (heart-beat frames are skipped); fails on a close
     * frame or when nothing came within {@code wait}.
     */
    String nextMessage(Duration wait) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        while (unread.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no message on session " + id + " within " + wait);
            }
            String frame = nextFrame();
            if (frame.startsWith("a[")) {
                unread.addAll(SockJsFrames.messages(frame));
            } else if (!frame.equals("h")) {
                throw new AssertionError("expected messages on session " + id + " but got '" + frame + "'");
            }
        }
        return unread.removeFirst();
    }

    String nextMessage() throws IOException, InterruptedException {
        return nextMessage(Duration.ofSeconds(30));
    }

    /** Skips messages until one for which {@code wanted} holds, and returns it. */
    String awaitMessage(java.util.function.Predicate<String> wanted, Duration wait)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        List<String> skipped = new ArrayList<>();
        for (;;) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative()) {
                throw new AssertionError("no wanted message on session " + id + " within " + wait + "; skipped " + skipped);
            }
            String message = nextMessage(left);
            if (wanted.test(message)) {
                return message;
            }
            skipped.add(message);
        }
    }

    /** One poll's frame without its newline; the poll must answer 200 with exactly one frame. */
    String nextFrame() throws IOException, InterruptedException {
        SockJsEndpoint.Response response = poll();
        assertThat(response.status()).as("poll answer: %s", response).isEqualTo(200);
        assertThat(response.body()).as("a poll answers one frame and a newline").endsWith("\n");
        return response.body().substring(0, response.body().length() - 1);
    }

    /** Messages already received and not yet taken. */
    int unreadMessages() {
        return unread.size();
    }
}
