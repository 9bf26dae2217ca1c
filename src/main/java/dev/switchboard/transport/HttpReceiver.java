package dev.switchboard.transport;

import dev.switchboard.sockjs.Receiver;
import dev.switchboard.sockjs.ReceiverFraming;
import dev.switchboard.sockjs.SockJsSession;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A SockJS receiving request on an asynchronous servlet response with non-blocking output (Servlet
 * 6.0 section 3.7): no thread waits for a poll or a stream. A write goes to the container when the
 * output is ready and completes when the container has taken and flushed it; otherwise when
 * {@link WriteListener#onWritePossible} says so.
 *
 * <p>Thread safety: writes come from the session's drain or the scheduler, readiness from the
 * container; the state below is guarded by this object's monitor, and completions are called
 * outside it (they take the session's).
 */
final class HttpReceiver implements Receiver, WriteListener, AsyncListener {

    private static final Logger LOG = System.getLogger(HttpReceiver.class.getName());
    /** How much of a receiving request's (unexpected) body is read and dropped before it goes asynchronous. */
    private static final int IGNORED_BODY_BYTES = 4096;

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final ReceiverFraming framing;
    private final boolean polling;
    private final int byteLimit;
    private final long attachedNanos = System.nanoTime();
    private volatile SockJsSession session;

    // Guarded by this.
    private byte[] unwritten;
    /** Bytes of {@link #unwritten} that are the prelude, which the byte limit does not count. */
    private int unwrittenPrelude;
    private boolean unflushed;
    private Consumer<Throwable> done;
    private boolean preludeWritten;
    private long bytesWritten;
    private boolean ended;

    private HttpReceiver(AsyncContext async, ServletOutputStream out, ReceiverFraming framing, boolean polling,
            int byteLimit) {
        this.async = async;
        this.out = out;
        this.framing = framing;
        this.polling = polling;
        this.byteLimit = byteLimit;
    }

    /**
     * Starts an asynchronous response for {@code framing}: a poll ({@code polling}) or a stream that
     * is ended after {@code byteLimit} bytes. {@code timeoutMs} is the container's backstop; the
     * session's heart-beats end a request long before it.
     */
    static HttpReceiver start(HttpServletRequest request, HttpServletResponse response, ReceiverFraming framing,
            boolean polling, int byteLimit, long timeoutMs) throws IOException {
        readBodyToItsEnd(request);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(framing.contentType());
        AsyncContext async = request.startAsync();
        async.setTimeout(timeoutMs);
        HttpReceiver receiver = new HttpReceiver(async, response.getOutputStream(), framing, polling, byteLimit);
        async.addListener(receiver);
        if (!framing.prelude().isEmpty()) {
            // At once, with the response's head, as the protocol sends it: a stream that a client
            // re-opens shows as open without waiting for the session's next frame. Blocking, before
            // the output turns non-blocking: 2 KiB at most, into an idle connection.
            receiver.out.write(framing.prelude().getBytes(StandardCharsets.UTF_8));
            receiver.out.flush();
            receiver.preludeWritten = true;
        }
        receiver.out.setWriteListener(receiver);
        return receiver;
    }

    /**
     * A receiving request has no body, but it may still come with an empty one to read: Spring's
     * SockJS client (HttpURLConnection) polls with {@code Transfer-Encoding: chunked} and a lone last
     * chunk. Left unread while the response is completed from another thread, that body made
     * Undertow (WildFly) leave the client's next request on the kept-alive connection unanswered: the
     * next poll hung until the server stopped (SpringSockJsClientIT, about 1 run in 3). So it is read
     * here, on the request's own thread, before going asynchronous. Whatever lies past
     * {@link #IGNORED_BODY_BYTES} is left to the container, as before.
     */
    private static void readBodyToItsEnd(HttpServletRequest request) throws IOException {
        request.getInputStream().readNBytes(IGNORED_BODY_BYTES);
    }

    /** The session this request feeds, told when the request goes away on the client's side. */
    void attachTo(SockJsSession target) {
        this.session = target;
        target.attach(this);
    }

    @Override
    public void write(String frame, Consumer<Throwable> whenDone) {
        synchronized (this) {
            if (ended) {
                whenDone.accept(new IOException("receiving request already ended"));
                return;
            }
            String prelude = preludeWritten ? "" : framing.prelude();
            preludeWritten = true;
            // The limit counts frames with their framing, not the prelude (SockJS 0.3.3
            // XhrStreaming.test_response_limit: 31 frames of 134 bytes after the 2 KiB prelude).
            unwrittenPrelude = prelude.getBytes(StandardCharsets.UTF_8).length;
            unwritten = (prelude + framing.encode(frame)).getBytes(StandardCharsets.UTF_8);
            done = whenDone;
        }
        pump();
    }

    @Override
    public void onWritePossible() {
        pump();
    }

    /** Writes and flushes what is waiting, as far as the output lets us; completes the write when done. */
    private void pump() {
        Consumer<Throwable> completed;
        Throwable failure = null;
        synchronized (this) {
            if (done == null) {
                return;
            }
            try {
                if (unwritten != null) {
                    if (!out.isReady()) {
                        return; // onWritePossible follows
                    }
                    out.write(unwritten);
                    bytesWritten += unwritten.length - unwrittenPrelude;
                    unwritten = null;
                    unflushed = true;
                }
                if (unflushed) {
                    if (!out.isReady()) {
                        return;
                    }
                    out.flush();
                    unflushed = false;
                }
                if (!out.isReady()) {
                    return; // the flush is still going out
                }
            } catch (IOException | IllegalStateException e) {
                failure = e; // failed below, outside this monitor: the completion takes the session's
            }
            completed = failure == null ? done : null;
            if (failure == null) {
                done = null;
            }
        }
        if (failure != null) {
            failWrite(failure);
        } else {
            completed.accept(null);
        }
    }

    @Override
    public void onError(Throwable failure) {
        // The peer went away or the connection broke: a write in flight fails (and the session ends
        // through its completion); with none in flight, the session is told here.
        synchronized (this) {
            ended = true;
        }
        if (!failWrite(failure)) {
            SockJsSession target = session;
            if (target != null) {
                target.interrupted(this);
            }
        }
    }

    /** Fails the write in flight, if any; returns whether there was one. */
    private boolean failWrite(Throwable failure) {
        Consumer<Throwable> failed;
        synchronized (this) {
            failed = done;
            done = null;
            unwritten = null;
        }
        if (failed != null) {
            failed.accept(failure);
        }
        return failed != null;
    }

    @Override
    public boolean polling() {
        return polling;
    }

    @Override
    public synchronized boolean full() {
        return bytesWritten >= byteLimit;
    }

    @Override
    public long attachedNanos() {
        return attachedNanos;
    }

    @Override
    public void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // The container ended the request first (timeout or error): nothing left to complete.
            LOG.log(Level.DEBUG, "SockJS receiving request already complete", e);
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        boolean endedByUs;
        synchronized (this) {
            endedByUs = ended;
            ended = true;
        }
        if (endedByUs) {
            detached();
        } else {
            // The container ended it (it found the connection gone): the same as an error.
            SockJsSession target = session;
            if (target != null) {
                target.interrupted(this);
            }
        }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        end();
        detached();
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable() == null ? new IOException("receiving request failed") : event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }

    private void detached() {
        SockJsSession target = session;
        if (target != null) {
            target.detach(this);
        }
    }
}
