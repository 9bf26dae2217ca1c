package dev.switchboard.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A streaming response (xhr_streaming, eventsource, htmlfile) read as it arrives, the way a
 * browser's XHR {@code onprogress} or EventSource sees it: bytes are collected on a thread of their
 * own, and the test takes them up to a delimiter, independent of how the server chunked them.
 */
final class SockJsStream implements AutoCloseable {

    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private final HttpResponse<InputStream> response;
    private final Object lock = new Object();
    /** Everything received and not yet taken. Guarded by {@link #lock}. */
    private byte[] pending = new byte[0];
    /** Bytes received in all, taken or not. Guarded by {@link #lock}. */
    private long received;
    /** Whether the server ended the response (or the connection failed). Guarded by {@link #lock}. */
    private boolean ended;
    private IOException failure;

    private SockJsStream(HttpResponse<InputStream> response) {
        this.response = response;
    }

    static SockJsStream start(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<InputStream> response = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .get(30, TimeUnit.SECONDS);
        SockJsStream stream = new SockJsStream(response);
        Thread reader = new Thread(stream::pump, "sockjs-stream-reader");
        reader.setDaemon(true);
        reader.start();
        return stream;
    }

    private void pump() {
        byte[] buffer = new byte[8192];
        try (InputStream in = response.body()) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                synchronized (lock) {
                    byte[] more = Arrays.copyOf(pending, pending.length + n);
                    System.arraycopy(buffer, 0, more, pending.length, n);
                    pending = more;
                    received += n;
                }
            }
        } catch (IOException e) {
            synchronized (lock) {
                failure = e;
            }
        } finally {
            synchronized (lock) {
                ended = true;
            }
        }
    }

    int status() {
        return response.statusCode();
    }

    HttpHeaders headers() {
        return response.headers();
    }

    /** The text up to and including the next {@code delimiter}, waiting up to 10 s for it. */
    String next(String delimiter) {
        return next(delimiter, DEFAULT_WAIT);
    }

    /** The text up to and including the next {@code delimiter}, waiting up to {@code wait}. */
    String next(String delimiter, Duration wait) {
        byte[] needle = delimiter.getBytes(StandardCharsets.UTF_8);
        int[] end = new int[1];
        await("'" + printable(delimiter) + "' in the stream (has: '" + printable(peek()) + "')").atMost(wait)
                .pollInterval(Duration.ofMillis(5)).until(() -> {
                    synchronized (lock) {
                        int at = indexOf(pending, needle);
                        if (at >= 0) {
                            end[0] = at + needle.length;
                            return true;
                        }
                        if (ended) {
                            throw new AssertionError("stream ended before '" + printable(delimiter) + "'; it had '"
                                    + printable(new String(pending, StandardCharsets.UTF_8)) + "'"
                                    + (failure == null ? "" : " (" + failure + ")"));
                        }
                        return false;
                    }
                });
        return take(end[0]);
    }

    /** Exactly the next {@code bytes} bytes as text, waiting up to 10 s for them. */
    String nextBytes(int bytes) {
        await(bytes + " bytes in the stream").atMost(DEFAULT_WAIT).pollInterval(Duration.ofMillis(5)).until(() -> {
            synchronized (lock) {
                if (pending.length < bytes && ended) {
                    throw new AssertionError("stream ended after " + pending.length + " of " + bytes + " bytes");
                }
                return pending.length >= bytes;
            }
        });
        return take(bytes);
    }

    /** Waits up to {@code wait} for the server to end the response; returns what was left untaken. */
    String awaitEnd(Duration wait) {
        await("end of the streaming response (has: '" + printable(peek()) + "')").atMost(wait)
                .pollInterval(Duration.ofMillis(10)).until(this::ended);
        synchronized (lock) {
            return take(pending.length);
        }
    }

    String awaitEnd() {
        return awaitEnd(DEFAULT_WAIT);
    }

    boolean ended() {
        synchronized (lock) {
            return ended;
        }
    }

    /** Bytes received so far, taken or not. */
    long received() {
        synchronized (lock) {
            return received;
        }
    }

    /** What was received and not yet taken, without taking it. */
    String peek() {
        synchronized (lock) {
            return new String(pending, StandardCharsets.UTF_8);
        }
    }

    private String take(int bytes) {
        synchronized (lock) {
            String text = new String(pending, 0, bytes, StandardCharsets.UTF_8);
            pending = Arrays.copyOfRange(pending, bytes, pending.length);
            return text;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String printable(String text) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return shown.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Stops reading; the JDK client drops the connection of an unfinished response. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // Already gone: nothing to release.
        }
    }
}
