package dev.switchboard.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One SockJS service of the server under test, as a browser's sockjs-client reaches it: a base URL
 * ({@code /sockjs/stomp}, or {@code /sockjs/channel} with {@code token} and {@code channelId} in
 * the query) under the deployment's context path, and plain HTTP/1.1 requests below it. The query
 * goes on every request, as sockjs-client keeps a base URL's query on every URL it derives from it.
 */
final class SockJsEndpoint {

    static final String STOMP = "/sockjs/stomp";
    static final String CHANNEL = "/sockjs/channel";

    /**
     * HTTP/1.1 only: a browser's XHR and EventSource requests are HTTP/1.1 (or h2 over TLS), and
     * the JDK client would otherwise try h2c upgrades that no browser makes.
     */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** Longer than the longest a poll may wait for data (one default heart-beat interval, 25 s). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(40);

    private static final AtomicInteger CHANNELS = new AtomicInteger();

    /** A response: status, body text, headers. */
    record Response(int status, String body, HttpHeaders headers) {

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        List<String> headerValues(String name) {
            return headers.allValues(name);
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private final ServerProcess server;
    private final String prefix;
    private final String query;
    /** The channel of a {@code /sockjs/channel} endpoint, else null. */
    private final String channelId;

    private SockJsEndpoint(ServerProcess server, String prefix, String query, String channelId) {
        this.server = server;
        this.prefix = prefix;
        this.query = query;
        this.channelId = channelId;
    }

    /** {@code /sockjs/stomp}: no query, authentication happens in the STOMP CONNECT. */
    static SockJsEndpoint stomp(ServerProcess server) {
        return new SockJsEndpoint(server, STOMP, "", null);
    }

    /** {@code /sockjs/channel?token=...&channelId=...}; a null token or channel id is left out. */
    static SockJsEndpoint channel(ServerProcess server, String token, String channelId) {
        StringBuilder query = new StringBuilder();
        if (token != null) {
            query.append("token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        }
        if (channelId != null) {
            query.append(query.isEmpty() ? "" : "&").append("channelId=")
                    .append(URLEncoder.encode(channelId, StandardCharsets.UTF_8));
        }
        return new SockJsEndpoint(server, CHANNEL, query.toString(), channelId);
    }

    /** {@code prefix} ({@link #STOMP} or {@link #CHANNEL}) with exactly {@code query} on every request. */
    static SockJsEndpoint withQuery(ServerProcess server, String prefix, String query, String channelId) {
        return new SockJsEndpoint(server, prefix, query, channelId);
    }

    /** A channel id nobody used yet in this test JVM, starting with {@code label}. */
    static String freshChannelId(String label) {
        return label + "-" + CHANNELS.incrementAndGet();
    }

    /** A fresh random session id, as sockjs-client makes one per connection. */
    static String freshSessionId() {
        return UUID.randomUUID().toString();
    }

    ServerProcess server() {
        return server;
    }

    String prefix() {
        return prefix;
    }

    /** The channel in this endpoint's query ({@code /sockjs/channel}), or null. */
    String channelId() {
        return channelId;
    }

    /** {@code path} below the base URL (e.g. {@code /info}, {@code /000/abc/jsonp?c=cb}), with this endpoint's query. */
    URI uri(String path) {
        return server.uri(pathAndQuery(path));
    }

    URI wsUri(String path) {
        return server.wsUri(pathAndQuery(path));
    }

    /** The application-relative path and query of {@code path} below the base URL (no context path). */
    String pathAndQuery(String path) {
        String withPrefix = prefix + path;
        if (query.isEmpty()) {
            return withPrefix;
        }
        return withPrefix + (withPrefix.contains("?") ? "&" : "?") + query;
    }

    /** The session URL of a transport: {@code /<server>/<session>/<transport>}. */
    static String sessionPath(String serverId, String sessionId, String transport) {
        return "/" + serverId + "/" + sessionId + "/" + transport;
    }

    /** A session driven through xhr polling and xhr_send, with a fresh session id. */
    SockJsSession newSession() {
        return new SockJsSession(this, "000", freshSessionId());
    }

    Response get(String path, String... headers) throws IOException, InterruptedException {
        return send(request(path, headers).GET());
    }

    Response post(String path, String body, String... headers) throws IOException, InterruptedException {
        return send(request(path, headers).POST(body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** A POST whose answer the test takes later (a poll that waits). */
    java.util.concurrent.CompletableFuture<Response> postAsync(String path, String body) {
        HttpRequest request = request(path).POST(body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(response -> new Response(response.statusCode(), response.body(), response.headers()));
    }

    Response options(String path, String... headers) throws IOException, InterruptedException {
        return send(request(path, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    Response method(String method, String path, String... headers) throws IOException, InterruptedException {
        return send(request(path, headers).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** Starts a streaming request and returns once its status and headers are in. */
    SockJsStream stream(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder builder = request(path, headers).timeout(Duration.ofMinutes(5));
        builder.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("")
                : HttpRequest.BodyPublishers.noBody());
        return SockJsStream.start(HTTP, builder.build());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT);
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return builder;
    }

    private static Response send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(builder.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(response.statusCode(), response.body(), response.headers());
    }
}
