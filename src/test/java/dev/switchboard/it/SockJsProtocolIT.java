package dev.switchboard.it;

import static dev.switchboard.it.SockJsHeaders.assertCacheableForLong;
import static dev.switchboard.it.SockJsHeaders.assertContentType;
import static dev.switchboard.it.SockJsHeaders.assertCors;
import static dev.switchboard.it.SockJsHeaders.assertNoCookie;
import static dev.switchboard.it.SockJsHeaders.assertNotCached;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.broker.CloseCode;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SockJS 0.3.3 protocol (sockjs-protocol-0.3.3.py, the specification and its test list) on
 * both services, {@code /sockjs/stomp} and {@code /sockjs/channel}, seen by a client that speaks
 * plain HTTP/1.1 and WebSocket: URLs, framing, every transport, escaping, session reuse and close
 * handling. The spec's test server is an echo service; ours answers native {@code ping} with
 * {@code pong}, a STOMP SUBSCRIBE's receipt with a RECEIPT, and the built-in {@code echo} handler
 * with {@code reply: <text>}, so those stand in for the echo. Timeouts and heart-beats need a
 * server with short intervals: {@link SockJsTimeoutsIT}. docs/sockjs.md maps each test case of the
 * specification to the test here that covers it.
 */
@ContainerMatrix
class SockJsProtocolIT {

    /** The spec's test server closes streaming responses after 4 KiB ("The test server should have this limit decreased to 4096B"). */
    static final int STREAM_LIMIT = 4096;
    private static final String ORIGIN = "https://app.example.com";
    private static final String ECHO_TOPIC = "echo";

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("sockjs-protocol", settings());
    private static final HttpApi api = HttpApi.withApiKey(server);

    private static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        // Browsers on other origins use SockJS's CORS transports; any origin may here.
        settings.put("allowed.origins", "*");
        settings.put("sockjs.stream.bytes", Integer.toString(STREAM_LIMIT));
        return settings;
    }

    // ---------------------------------------------------------------- base URL

    /** Spec BaseUrlGreeting.test_greeting. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theBaseUrlGreetsWithOrWithoutATrailingSlash(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "greeting");
        for (String path : List.of("", "/")) {
            SockJsEndpoint.Response greeting = endpoint.get(path);
            assertThat(greeting.status()).as("GET base URL + '%s': %s", path, greeting).isEqualTo(200);
            assertContentType(greeting.headers(), "text/plain;charset=UTF-8");
            assertThat(greeting.body()).isEqualTo("Welcome to SockJS!\n");
            assertNoCookie(greeting.headers());
        }
    }

    /** Spec BaseUrlGreeting.test_notFound. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void otherPathsBelowTheBaseUrlAreNotFound(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "not-found");
        for (String path : List.of("/a", "/a.html", "//", "///", "/a/a", "/a/a/")) {
            assertThat(endpoint.get(path).status()).as("GET base URL + '%s'", path).isEqualTo(404);
        }
    }

    // ---------------------------------------------------------------- /info

    /** Spec InfoTest.test_basic: what sockjs-client asks before choosing a transport. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void infoTellsWebsocketCookieNeedOriginsAndEntropyUncachedWithCors(SockJsService service) throws Exception {
        SockJsEndpoint.Response info = service.endpoint(server, "info").get("/info", "Origin", ORIGIN);
        assertThat(info.status()).as("%s", info).isEqualTo(200);
        assertContentType(info.headers(), "application/json;charset=UTF-8");
        assertNoCookie(info.headers());
        assertNotCached(info.headers());
        assertCors(info.headers(), ORIGIN);
        JsonObject json = Json.createReader(new java.io.StringReader(info.body())).readObject();
        assertThat(json.getBoolean("websocket")).isTrue();
        // cookie_needed: false, because no load balancer here needs JSESSIONID for stickiness
        // (docs/sockjs.md: stickiness by the session id in the path).
        assertThat(json.getBoolean("cookie_needed")).isFalse();
        assertThat(json.getJsonArray("origins")).containsExactly(Json.createValue("*:*"));
        JsonNumber entropy = json.getJsonNumber("entropy");
        assertThat(entropy.isIntegral()).as("entropy is an integer").isTrue();
        // "a good, unpredictable random number from the range <0; 2^32-1>"
        assertThat(entropy.longValue()).isBetween(0L, 4_294_967_295L);
    }

    /** Spec InfoTest.test_entropy. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void infoGivesFreshEntropyEachTime(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "entropy");
        long first = entropy(endpoint.get("/info"));
        long second = entropy(endpoint.get("/info"));
        assertThat(first).isNotEqualTo(second);
    }

    private static long entropy(SockJsEndpoint.Response info) {
        assertThat(info.status()).as("%s", info).isEqualTo(200);
        return Json.createReader(new java.io.StringReader(info.body())).readObject().getJsonNumber("entropy").longValue();
    }

    /** Spec InfoTest.test_options and test_options_null_origin. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void infoPreflightIsCacheableForAYear(SockJsService service) throws Exception {
        assertPreflight(service.endpoint(server, "info-options"), "/info", "OPTIONS, GET");
    }

    /**
     * Spec "verify_options": for an Origin and for the "null" origin of a page loaded from a file,
     * 204 (or 200) without body, strongly cacheable, the methods allowed, CORS headers.
     */
    private static void assertPreflight(SockJsEndpoint endpoint, String path, String methods) throws Exception {
        for (String origin : List.of(ORIGIN, "null")) {
            SockJsEndpoint.Response preflight = endpoint.options(path, "Origin", origin,
                    "Access-Control-Request-Method", methods);
            assertThat(preflight.status()).as("OPTIONS %s from %s: %s", path, origin, preflight).isIn(200, 204);
            assertCacheableForLong(preflight.headers());
            assertThat(preflight.header("Access-Control-Max-Age")).as("Access-Control-Max-Age")
                    .hasValueSatisfying(age -> assertThat(Long.parseLong(age)).isGreaterThan(1_000_000));
            for (String method : methods.split(",")) {
                assertThat(preflight.header("Access-Control-Allow-Methods")).as("Access-Control-Allow-Methods")
                        .hasValueSatisfying(allowed -> assertThat(allowed).contains(method.strip()));
            }
            assertThat(preflight.body()).isEmpty();
            assertCors(preflight.headers(), origin);
        }
    }

    // ---------------------------------------------------------------- iframe page

    /**
     * Spec IframePage.verify: the page that loads sockjs-client into a hidden iframe for the
     * transports that cannot go cross-domain. {@code sockjs_url} is ours to choose.
     */
    private static final Pattern IFRAME_PAGE = Pattern.compile(Pattern.quote("""
            <!DOCTYPE html>
            <html>
            <head>
              <meta http-equiv="X-UA-Compatible" content="IE=edge" />
              <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
              <script>
                document.domain = document.domain;
                _sockjs_onload = function(){SockJS.bootstrap_iframe();};
              </script>
              <script src=\"""") + "([^\"]*)" + Pattern.quote("""
            "></script>
            </head>
            <body>
              <h2>Don't panic!</h2>
              <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
            </body>
            </html>"""));

    /** Spec IframePage.test_simpleUrl, test_versionedUrl, test_queriedUrl. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theIframePageAndItsVersionedAndQueriedVariantsLoadTheServedClient(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "iframe");
        for (String path : List.of("/iframe.html", "/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html",
                "/iframe-0.1.2abc-dirty.2144.html", "/iframe-a.html?t=1234", "/iframe-0.1.2.html?t=123414",
                "/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123")) {
            SockJsEndpoint.Response page = endpoint.get(path);
            assertThat(page.status()).as("GET %s: %s", path, page).isEqualTo(200);
            assertContentType(page.headers(), "text/html;charset=UTF-8");
            assertCacheableForLong(page.headers());
            assertThat(page.header("ETag")).as("ETag").isPresent();
            assertThat(page.header("Last-Modified")).as("Last-Modified").isEmpty();
            assertNoCookie(page.headers());
            Matcher matcher = IFRAME_PAGE.matcher(page.body().strip());
            assertThat(matcher.matches()).as("iframe page of %s:%n%s", path, page.body()).isTrue();
            String sockjsUrl = matcher.group(1);
            assertThat(sockjsUrl).as("sockjs_url").startsWith(server.path("/"));
            // What the iframe then loads must be there: the page is useless without the client.
            HttpResponse<String> client = SockJsEndpoint.HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + sockjsUrl)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(client.statusCode()).as("GET %s", sockjsUrl).isEqualTo(200);
            assertThat(client.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .contains("javascript"));
            assertThat(client.body()).contains("SockJS");
        }
    }

    /** Spec IframePage.test_invalidUrl. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void malformedIframeUrlsAreNotFound(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "iframe-404");
        for (String path : List.of("/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME", "/iframe.HTML", "/iframe.xml",
                "/iframe-/.html")) {
            assertThat(endpoint.get(path).status()).as("GET %s", path).isEqualTo(404);
        }
    }

    /** Spec IframePage.test_cacheability: a stable ETag, and 304 without body for If-None-Match. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theIframePageIsNotModifiedForItsETag(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "iframe-etag");
        String etag = endpoint.get("/iframe.html").header("ETag").orElseThrow();
        assertThat(endpoint.get("/iframe.html").header("ETag")).hasValue(etag);
        SockJsEndpoint.Response notModified = endpoint.get("/iframe.html", "If-None-Match", etag);
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.header("Content-Type")).isEmpty();
        assertThat(notModified.body()).isEmpty();
    }

    // ---------------------------------------------------------------- session URLs

    /** Spec SessionURLs.test_anyValue: any server and session id without dots. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void anyServerAndSessionIdWithoutDotsOpensASession(SockJsService service) throws Exception {
        for (String ids : List.of("/a/a", "/_/_", "/1/1", "/abcdefgh_i-j%20/abcdefg_i-j%20")) {
            SockJsEndpoint.Response opened = service.endpoint(server, "any-id").post(ids + "/xhr", null);
            assertThat(opened.status()).as("POST %s/xhr: %s", ids, opened).isEqualTo(200);
            assertThat(opened.body()).isEqualTo("o\n");
        }
    }

    /** Spec SessionURLs.test_invalidPaths: empty parts, dots, too few or too many parts. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void sessionUrlsWithEmptyOrDottedPartsAreNotFound(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "bad-session-url");
        for (String ids : List.of("//", "/a./a", "/a/a.", "/./.", "/", "///")) {
            assertThat(endpoint.get(ids + "/xhr").status()).as("GET base + '%s/xhr'", ids).isEqualTo(404);
            assertThat(endpoint.post(ids + "/xhr", null).status()).as("POST base + '%s/xhr'", ids).isEqualTo(404);
        }
    }

    /** Spec SessionURLs.test_ignoringServerId: the server id is for load balancers; the session id alone names a session. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theServerIdIsIgnoredSoASessionAnswersUnderAnyServerId(SockJsService service) throws Exception {
        SockJsSession session = service.openReady(service.endpoint(server, "server-id"));
        session.send(service.probe("server-id"));
        assertThat(session.viaServerId("999").nextFrame()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("server-id")));
    }

    // ---------------------------------------------------------------- xhr polling and xhr_send

    /** Spec Protocol.test_simpleSession and XhrPolling.test_transport. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void xhrPollingOpensTheSessionAndCarriesMessagesBothWays(SockJsService service) throws Exception {
        SockJsSession session = service.endpoint(server, "xhr").newSession();
        SockJsEndpoint.Response opened = session.poll("Origin", ORIGIN);
        assertThat(opened.status()).as("%s", opened).isEqualTo(200);
        // "When server opens a new session it must immediately send an frame containing a letter o."
        assertThat(opened.body()).isEqualTo("o\n");
        assertContentType(opened.headers(), "application/javascript;charset=UTF-8");
        assertCors(opened.headers(), ORIGIN);
        assertNotCached(opened.headers()); // iOS 6 caches POSTs
        assertNoCookie(opened.headers());
        service.greet(session);

        SockJsEndpoint.Response sent = session.sendRaw(SockJsFrames.sendBody(service.probe("xhr")), "Origin", ORIGIN);
        assertThat(sent.status()).as("%s", sent).isEqualTo(204);
        assertThat(sent.body()).isEmpty();
        // text/plain even on 204: Firefox otherwise takes the empty body for broken XML. Payara's
        // Grizzly drops every header of a 204's body (server-config/README.md, "Differences").
        if (!server.deploymentName().equals("payara")) {
            assertContentType(sent.headers(), "text/plain;charset=UTF-8");
        }
        assertCors(sent.headers(), ORIGIN);
        assertNotCached(sent.headers());

        SockJsEndpoint.Response polled = session.poll();
        assertThat(polled.status()).isEqualTo(200);
        assertThat(polled.body()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("xhr")) + "\n");
    }

    /** Spec verify_cors: a page opened from a file sends Origin "null", which is answered with {@code *}. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aNullOriginIsAnsweredWithTheWildcardAndNoCredentials(SockJsService service) throws Exception {
        SockJsEndpoint.Response opened = service.endpoint(server, "null-origin").newSession().poll("Origin", "null");
        assertThat(opened.body()).isEqualTo("o\n");
        assertCors(opened.headers(), "null");
        SockJsEndpoint.Response info = service.endpoint(server, "null-origin").get("/info");
        assertCors(info.headers(), null);
    }

    /** Spec XhrPolling.test_invalid_json, and (later revisions) test_sending_empty_frame. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void xhrSendRefusesBrokenJsonAndAMissingPayloadAndTheSessionGoesOn(SockJsService service) throws Exception {
        SockJsSession session = service.openReady(service.endpoint(server, "xhr-send-errors"));

        SockJsEndpoint.Response broken = session.sendRaw("[\"x");
        assertThat(broken.status()).as("%s", broken).isEqualTo(500);
        assertThat(broken.body()).contains("Broken JSON encoding.");
        SockJsEndpoint.Response empty = session.sendRaw("");
        assertThat(empty.status()).as("%s", empty).isEqualTo(500);
        assertThat(empty.body()).contains("Payload expected.");
        // An array without messages is what a client sends as its own heart-beat.
        assertThat(session.sendRaw("[]").status()).isEqualTo(204);

        session.send(service.probe("after-errors"));
        assertThat(session.nextFrame()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("after-errors")));
    }

    /** Spec Protocol.test_simpleSession (bad_session) and XhrPolling.test_invalid_session. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void xhrSendToAnUnknownSessionIsNotFound(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "unknown-session");
        SockJsEndpoint.Response sent = endpoint.post(SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(),
                "xhr_send"), "[\"x\"]");
        assertThat(sent.status()).as("%s", sent).isEqualTo(404);
    }

    /** Spec XhrPolling.test_content_types: browsers send xhr_send with whatever Content-Type they like. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void xhrSendAcceptsAnyContentType(SockJsService service) throws Exception {
        SockJsSession session = service.openReady(service.endpoint(server, "content-types"));
        List<String> types = List.of("text/plain", "T", "application/json", "application/xml", "",
                "application/json; charset=utf-8", "text/xml; charset=utf-8", "text/xml");
        for (int i = 0; i < types.size(); i++) {
            SockJsEndpoint.Response sent = session.sendRaw(SockJsFrames.sendBody(service.probe("ct-" + i)),
                    "Content-Type", types.get(i));
            assertThat(sent.status()).as("xhr_send with Content-Type '%s': %s", types.get(i), sent).isEqualTo(204);
            assertThat(sent.body()).isEmpty();
        }
        for (int i = 0; i < types.size(); i++) {
            assertThat(session.nextMessage()).isEqualTo(service.probeAnswer("ct-" + i));
        }
    }

    /** Spec XhrPolling.test_options, XhrStreaming.test_options and XhrPolling.test_request_headers_cors. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void xhrPreflightsAreCacheableAndEchoTheRequestedHeaders(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "xhr-options");
        for (String transport : List.of("xhr", "xhr_send", "xhr_streaming")) {
            assertPreflight(endpoint, "/abc/abc/" + transport, "OPTIONS, POST");
        }
        String path = SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), "xhr");
        SockJsEndpoint.Response withHeaders = endpoint.options(path, "Origin", ORIGIN,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "a, b, c");
        assertThat(withHeaders.status()).isIn(200, 204);
        assertCors(withHeaders.headers(), ORIGIN);
        assertThat(withHeaders.header("Access-Control-Allow-Headers")).hasValue("a, b, c");
        SockJsEndpoint.Response emptyHeaders = endpoint.options(path, "Origin", ORIGIN,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "");
        assertThat(emptyHeaders.status()).isIn(200, 204);
        // The spec tests "no value": absent, or present and empty.
        assertThat(emptyHeaders.header("Access-Control-Allow-Headers").orElse("")).isEmpty();
        SockJsEndpoint.Response noHeaders = endpoint.options(path, "Origin", ORIGIN, "Access-Control-Request-Method", "POST");
        assertThat(noHeaders.status()).isIn(200, 204);
        assertThat(noHeaders.header("Access-Control-Allow-Headers").orElse("")).isEmpty();
    }

    /**
     * Spec Protocol.test_simpleSession, last part: "The server must not allow two receiving
     * connections to wait on a single session." Which of two polls sent together arrives first is
     * not ours to know: one is answered at once with 2010, the other keeps waiting as the receiver.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aSecondPollWhileOneWaitsIsToldAnotherConnectionStillOpen(SockJsService service) throws Exception {
        SockJsSession session = service.openReady(service.endpoint(server, "two-polls"));
        CompletableFuture<SockJsEndpoint.Response> first = session.endpoint().postAsync(session.path("xhr"), null);
        CompletableFuture<SockJsEndpoint.Response> second = session.endpoint().postAsync(session.path("xhr"), null);
        await("one of two polls answered").atMost(Duration.ofSeconds(10)).until(() -> first.isDone() || second.isDone());
        CompletableFuture<SockJsEndpoint.Response> refused = first.isDone() ? first : second;
        CompletableFuture<SockJsEndpoint.Response> waiting = refused == first ? second : first;
        assertThat(refused.get().status()).isEqualTo(200);
        assertThat(refused.get().body()).isEqualTo("c[2010,\"Another connection still open\"]\n");
        assertThat(waiting).as("the other poll still waits for data").isNotDone();

        session.send(service.probe("two-polls"));
        SockJsEndpoint.Response answered = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answered.body()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("two-polls")) + "\n");
    }

    /** Spec HandlingClose.test_close_request: a second streaming request gets 2010 and is ended; the first goes on. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aSecondStreamingRequestIsToldAnotherConnectionStillOpenAndEnded(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "two-streams");
        String id = SockJsEndpoint.freshSessionId();
        try (SockJsStream first = StreamingTransport.XHR_STREAMING.open(endpoint, id);
                SockJsStream second = StreamingTransport.XHR_STREAMING.start(endpoint, id)) {
            StreamingTransport.XHR_STREAMING.readPrelude(second);
            assertThat(StreamingTransport.XHR_STREAMING.nextFrame(second).text())
                    .isEqualTo("c[2010,\"Another connection still open\"]");
            assertThat(second.awaitEnd()).as("after the close frame").isEmpty();

            SockJsSession session = new SockJsSession(endpoint, "000", id);
            assertThat(session.poll().body()).isEqualTo("c[2010,\"Another connection still open\"]\n");

            StreamingTransport.Receiver receiver = new StreamingTransport.Receiver(StreamingTransport.XHR_STREAMING, first);
            greet(service, session, receiver);
            session.send(service.probe("two-streams"));
            assertThat(receiver.nextMessage()).isEqualTo(service.probeAnswer("two-streams"));
        }
    }

    /** The application's greeting on a session whose receiver is a streaming response. */
    static void greet(SockJsService service, SockJsSession session, StreamingTransport.Receiver receiver) throws Exception {
        String first = service.greetingFromClient(SockJsService.USER);
        if (first != null) {
            session.send(first);
        }
        assertThat(receiver.nextMessage()).matches(service.isGreeting());
    }

    // ---------------------------------------------------------------- streaming transports

    static Stream<Arguments> servicesAndStreamingTransports() {
        List<Arguments> all = new ArrayList<>();
        for (SockJsService service : SockJsService.values()) {
            for (StreamingTransport transport : StreamingTransport.values()) {
                all.add(Arguments.of(service, transport));
            }
        }
        return all.stream();
    }

    /**
     * Spec XhrStreaming.test_transport, EventSource.test_transport, HtmlFile.test_transport: the
     * prelude, {@code o}, then each frame as it comes, in a response that must not be cached.
     */
    @ParameterizedTest
    @MethodSource("servicesAndStreamingTransports")
    void aStreamingTransportSendsItsPreludeThenEachFrameAsItComes(SockJsService service, StreamingTransport transport)
            throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "stream-" + transport);
        String id = SockJsEndpoint.freshSessionId();
        try (SockJsStream stream = transport.start(endpoint, id, "Origin", ORIGIN)) {
            assertThat(stream.status()).isEqualTo(200);
            assertContentType(stream.headers(), transport.contentType());
            assertNotCached(stream.headers());
            assertNoCookie(stream.headers());
            if (transport == StreamingTransport.XHR_STREAMING) {
                assertCors(stream.headers(), ORIGIN);
            }
            transport.readPrelude(stream);
            StreamingTransport.Frame open = transport.nextFrame(stream);
            assertThat(open.text()).isEqualTo("o");
            if (transport != StreamingTransport.HTMLFILE) {
                assertThat(open.wire()).isEqualTo(transport.wire("o"));
            }
            SockJsSession session = new SockJsSession(endpoint, "000", id);
            greet(service, session, new StreamingTransport.Receiver(transport, stream));

            session.send(service.probe("stream"));
            assertThat(transport.nextFrame(stream).wire())
                    .isEqualTo(transport.wire(SockJsFrames.messageFrame(service.probeAnswer("stream"))));
        }
    }

    /**
     * Spec HtmlFile.test_transport: the page passes 1 KiB before the first frame (Internet
     * Explorer renders nothing of a smaller one), and calls the callback named by {@code c}.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theHtmlFilePageIsPaddedPastOneKibibyteBeforeTheFirstFrame(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "htmlfile-page");
        try (SockJsStream stream = endpoint.stream("GET",
                SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), "htmlfile?c=%63allback"))) {
            assertThat(stream.status()).isEqualTo(200);
            String pageAndOpen = stream.next("<script>\np(\"o\");\n</script>\r\n");
            String page = pageAndOpen.substring(0, pageAndOpen.lastIndexOf("<script>\np(\"o\")"));
            assertThat(page.strip()).isEqualTo(StreamingTransport.htmlFilePage("callback"));
            assertThat(page.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(1024);
        }
    }

    /**
     * Spec XhrStreaming/EventSource/HtmlFile.test_response_limit: a browser keeps all of a
     * streaming response in memory, so the server ends it once it carried the limit ("including
     * framing", the prelude not counted) and the client opens the next one. Ours must also lose
     * nothing in between: messages published while no request was attached arrive on the next one.
     */
    @ParameterizedTest
    @MethodSource("servicesAndStreamingTransports")
    void aStreamingResponseEndsOnceItCarriedTheLimitAndTheNextOneGoesOnWithoutLoss(SockJsService service,
            StreamingTransport transport) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "limit-" + transport);
        String topic = "sockjs-limit-" + service.name().toLowerCase() + "-" + transport.name().toLowerCase();
        String id = SockJsEndpoint.freshSessionId();
        SockJsSession session = new SockJsSession(endpoint, "000", id);
        List<Integer> received = new ArrayList<>();
        int published = 0;
        try (SockJsStream stream = transport.start(endpoint, id)) {
            transport.readPrelude(stream);
            StreamingTransport.Frame open = transport.nextFrame(stream);
            int carried = open.wireBytes();
            // Greeting and subscription, counting every byte the response carried.
            String first = service.greetingFromClient(SockJsService.USER);
            if (first != null) {
                session.send(first);
            }
            List<String> messages = new ArrayList<>();
            session.send(service.subscribe(topic, "limit"));
            while (messages.stream().noneMatch(service.isSubscribed(topic, "limit"))) {
                StreamingTransport.Frame frame = transport.nextFrame(stream);
                carried += frame.wireBytes();
                messages.addAll(SockJsFrames.messages(frame.text()));
            }
            assertThat(carried).as("bytes before the first publication").isLessThan(STREAM_LIMIT);
            // About 400 bytes a message: the limit falls in the middle of the tenth or so.
            while (carried < STREAM_LIMIT) {
                assertThat(published).as("publications before the limit").isLessThan(100);
                publish(topic, ++published);
                StreamingTransport.Frame frame = transport.nextFrame(stream);
                carried += frame.wireBytes();
                received.addAll(numbers(service, topic, frame.text()));
            }
            assertThat(stream.awaitEnd()).as("after the frame that reached %d bytes", STREAM_LIMIT).isEmpty();
        }
        // Published while no request is attached: held for the session.
        for (int i = 0; i < 3; i++) {
            publish(topic, ++published);
        }
        try (SockJsStream next = transport.start(endpoint, id)) {
            transport.readPrelude(next);
            while (received.size() < published) {
                StreamingTransport.Frame frame = transport.nextFrame(next);
                assertThat(frame.text()).as("the session goes on: no new open frame").isNotEqualTo("o");
                received.addAll(numbers(service, topic, frame.text()));
            }
        }
        assertThat(received).as("every publication once, in order").isEqualTo(
                java.util.stream.IntStream.rangeClosed(1, published).boxed().toList());
    }

    private static void publish(String topic, int number) throws Exception {
        HttpApi.Response published = api.post("/api/v1/topics/" + topic + "/messages",
                "{\"data\":{\"n\":" + number + ",\"pad\":\"" + "x".repeat(300) + "\"}}");
        assertThat(published.status()).as("publish: %s", published.body()).isEqualTo(202);
    }

    /** The {@code n} of each message on {@code topic} in a frame (heart-beats carry none). */
    private static List<Integer> numbers(SockJsService service, String topic, String frame) {
        if (frame.equals("h")) {
            return List.of();
        }
        return SockJsFrames.messages(frame).stream().map(message -> service.topicData(topic, message))
                .flatMap(java.util.Optional::stream)
                .map(data -> Json.createReader(new java.io.StringReader(data)).readObject().getInt("n")).toList();
    }

    /**
     * Spec EventSource.test_transport, second part: every frame is JSON-encoded, so a message with
     * leading spaces, NUL, newline and return still makes one well-formed {@code data:} line.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void anEventSourceFrameKeepsControlCharactersEscapedOnOneDataLine(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "eventsource-escapes");
        String id = SockJsEndpoint.freshSessionId();
        SockJsSession session = new SockJsSession(endpoint, "000", id);
        try (SockJsStream stream = StreamingTransport.EVENTSOURCE.open(endpoint, id)) {
            StreamingTransport.Receiver receiver = new StreamingTransport.Receiver(StreamingTransport.EVENTSOURCE, stream);
            greet(service, session, receiver);
            session.send(service.subscribe("echo", "echo"));
            receiver.awaitMessage(service.isSubscribed("echo", "echo"));

            String tricky = "  \u0000\n\r ";
            session.send(service.echoRequest(tricky));
            for (;;) {
                StreamingTransport.Frame frame = StreamingTransport.EVENTSOURCE.nextFrame(stream);
                List<String> replies = frame.text().equals("h") ? List.of() : SockJsFrames.messages(frame.text()).stream()
                        .map(message -> service.topicData("echo", message)).flatMap(java.util.Optional::stream).toList();
                if (replies.contains("reply: " + tricky)) {
                    String line = frame.wire().substring(0, frame.wire().length() - 4);
                    assertThat(line).as("one data line").doesNotContain("\r", "\n", "\u0000");
                    if (service == SockJsService.STOMP) {
                        // The STOMP body goes into the frame as it is: the spec's exact escapes.
                        assertThat(line).contains("reply:   \\u0000\\n\\r ");
                    }
                    break;
                }
            }
        }
    }

    // ---------------------------------------------------------------- htmlfile and jsonp callbacks

    /** Spec HtmlFile.test_no_callback, JsonPolling.test_no_callback, and (later revisions) test_invalid_callback. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void htmlFileAndJsonpNeedAValidCallback(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "callbacks");
        for (String transport : List.of("htmlfile", "jsonp")) {
            SockJsEndpoint.Response missing = endpoint.get("/a/a/" + transport);
            assertThat(missing.status()).as("%s without c: %s", transport, missing).isEqualTo(500);
            assertThat(missing.body()).contains("\"callback\" parameter required");
            // Anything but [a-zA-Z0-9_.] could inject script into the page that runs the callback.
            for (String callback : List.of("%20", "*", "abc(", "abc%28")) {
                SockJsEndpoint.Response invalid = endpoint.get("/a/a/" + transport + "?c=" + callback);
                assertThat(invalid.status()).as("%s with c=%s: %s", transport, callback, invalid).isEqualTo(500);
                assertThat(invalid.body()).contains("invalid \"callback\" parameter");
            }
        }
    }

    /** Spec JsonPolling.test_transport. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void jsonpPollingWrapsEachFrameInTheCallbackAndJsonpSendAnswersOk(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "jsonp");
        String poll = SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), "jsonp");
        String send = poll + "_send";
        SockJsEndpoint.Response opened = endpoint.get(poll + "?c=%63allback");
        assertThat(opened.status()).as("%s", opened).isEqualTo(200);
        assertContentType(opened.headers(), "application/javascript;charset=UTF-8");
        assertNotCached(opened.headers());
        assertNoCookie(opened.headers());
        assertThat(opened.body()).isEqualTo("callback(\"o\");\r\n");

        String first = service.greetingFromClient(SockJsService.USER);
        if (first != null) {
            assertThat(jsonpSend(endpoint, send, SockJsFrames.sendBody(first)).body()).isEqualTo("ok");
        }
        assertThat(jsonpMessages(endpoint.get(poll + "?c=callback"), "callback")).singleElement().matches(service.isGreeting());

        SockJsEndpoint.Response sent = jsonpSend(endpoint, send, SockJsFrames.sendBody(service.probe("jsonp")));
        // 200 with "ok" rather than 204: Konqueror mishandles 204 here.
        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.body()).isEqualTo("ok");
        assertContentType(sent.headers(), "text/plain;charset=UTF-8");
        assertNotCached(sent.headers());

        SockJsEndpoint.Response polled = endpoint.get(poll + "?c=%63allback");
        assertThat(polled.status()).isEqualTo(200);
        assertThat(polled.body()).isEqualTo("callback(" + SockJsFrames.jsonString(
                SockJsFrames.messageFrame(service.probeAnswer("jsonp"))) + ");\r\n");
    }

    private static SockJsEndpoint.Response jsonpSend(SockJsEndpoint endpoint, String path, String messages) throws Exception {
        return endpoint.post(path, "d=" + java.net.URLEncoder.encode(messages, java.nio.charset.StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
    }

    private static List<String> jsonpMessages(SockJsEndpoint.Response response, String callback) {
        assertThat(response.status()).as("%s", response).isEqualTo(200);
        String body = response.body();
        assertThat(body).startsWith(callback + "(\"").endsWith("\");\r\n");
        String frame = Json.createReader(new java.io.StringReader(
                "[" + body.substring(callback.length() + 1, body.length() - 4) + "]")).readArray().getString(0);
        return SockJsFrames.messages(frame);
    }

    /** Spec JsonPolling.test_invalid_json and (later revisions) test_sending_empty_frame. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void jsonpSendRefusesBrokenJsonAndAMissingPayloadAndTheSessionGoesOn(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "jsonp-errors");
        String poll = SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), "jsonp");
        String send = poll + "_send";
        assertThat(endpoint.get(poll + "?c=x").body()).isEqualTo("x(\"o\");\r\n");
        String first = service.greetingFromClient(SockJsService.USER);
        if (first != null) {
            jsonpSend(endpoint, send, SockJsFrames.sendBody(first));
        }
        assertThat(jsonpMessages(endpoint.get(poll + "?c=x"), "x")).singleElement().matches(service.isGreeting());

        SockJsEndpoint.Response broken = endpoint.post(send, "d=%5B%22x", "Content-Type", "application/x-www-form-urlencoded");
        assertThat(broken.status()).as("%s", broken).isEqualTo(500);
        assertThat(broken.body()).contains("Broken JSON encoding.");
        for (String body : List.of("", "d=", "p=p")) {
            SockJsEndpoint.Response missing = endpoint.post(send, body, "Content-Type", "application/x-www-form-urlencoded");
            assertThat(missing.status()).as("jsonp_send '%s': %s", body, missing).isEqualTo(500);
            assertThat(missing.body()).contains("Payload expected.");
        }
        assertThat(endpoint.post(send, "d=%5B%5D", "Content-Type", "application/x-www-form-urlencoded").body())
                .isEqualTo("ok");

        assertThat(jsonpSend(endpoint, send, SockJsFrames.sendBody(service.probe("jsonp-after"))).body()).isEqualTo("ok");
        assertThat(jsonpMessages(endpoint.get(poll + "?c=x"), "x")).containsExactly(service.probeAnswer("jsonp-after"));
    }

    /** Spec JsonPolling.test_content_types: a form field {@code d}, or the JSON as a raw text/plain body. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void jsonpSendTakesAFormFieldOrARawBody(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "jsonp-bodies");
        String poll = SockJsEndpoint.sessionPath("000", SockJsEndpoint.freshSessionId(), "jsonp");
        String send = poll + "_send";
        assertThat(endpoint.get(poll + "?c=x").body()).isEqualTo("x(\"o\");\r\n");
        String first = service.greetingFromClient(SockJsService.USER);
        if (first != null) {
            jsonpSend(endpoint, send, SockJsFrames.sendBody(first));
        }
        assertThat(jsonpMessages(endpoint.get(poll + "?c=x"), "x")).singleElement().matches(service.isGreeting());

        assertThat(jsonpSend(endpoint, send, SockJsFrames.sendBody(service.probe("form"))).body()).isEqualTo("ok");
        assertThat(endpoint.post(send, SockJsFrames.sendBody(service.probe("raw")), "Content-Type", "text/plain").body())
                .isEqualTo("ok");
        List<String> answers = new ArrayList<>();
        while (answers.size() < 2) {
            answers.addAll(jsonpMessages(endpoint.get(poll + "?c=x"), "x"));
        }
        assertThat(answers).containsExactly(service.probeAnswer("form"), service.probeAnswer("raw"));
    }

    // ---------------------------------------------------------------- closing

    /** Closes {@code session}'s application session from the server side; returns the close frame it must get. */
    private static String closeByServer(SockJsService service, SockJsEndpoint endpoint, SockJsSession session)
            throws Exception {
        if (service == SockJsService.CHANNEL) {
            // An operator's disconnect (docs/http-api.md): 4000.
            assertThat(api.delete("/api/v1/channels/" + endpoint.channelId()).status()).isIn(200, 202, 204);
            return SockJsFrames.closeFrame(CloseCode.OPERATOR.code(), CloseCode.OPERATOR.reason());
        }
        // STOMP DISCONNECT: the server answers the receipt and ends the session normally.
        session.send("DISCONNECT\nreceipt:bye\n\n\0");
        return SockJsFrames.closeFrame(CloseCode.NORMAL.code(), CloseCode.NORMAL.reason());
    }

    /**
     * Spec HandlingClose.test_close_frame, Protocol.test_closeSession and JsonPolling.test_close:
     * the receiver attached when the server closes gets the close frame and is ended; every later
     * receiving request, on any transport, gets the same close frame ("Until the timeout occurs,
     * the server must constantly serve the close message"), not 2010.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aClosedSessionAnswersItsCloseFrameOnEveryTransport(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "closed");
        String id = SockJsEndpoint.freshSessionId();
        SockJsSession session = new SockJsSession(endpoint, "000", id);
        String closeFrame;
        try (SockJsStream first = StreamingTransport.XHR_STREAMING.open(endpoint, id)) {
            StreamingTransport.Receiver receiver = new StreamingTransport.Receiver(StreamingTransport.XHR_STREAMING, first);
            greet(service, session, receiver);
            closeFrame = closeByServer(service, endpoint, session);
            String frame = StreamingTransport.XHR_STREAMING.nextFrame(first).text();
            if (service == SockJsService.STOMP) {
                assertThat(SockJsFrames.messages(frame)).containsExactly("RECEIPT\nreceipt-id:bye\n\n\0");
                frame = StreamingTransport.XHR_STREAMING.nextFrame(first).text();
            }
            assertThat(frame).isEqualTo(closeFrame);
            assertThat(first.awaitEnd()).as("after the close frame").isEmpty();
        }
        try (SockJsStream second = StreamingTransport.XHR_STREAMING.start(endpoint, id)) {
            StreamingTransport.XHR_STREAMING.readPrelude(second);
            assertThat(StreamingTransport.XHR_STREAMING.nextFrame(second).text()).isEqualTo(closeFrame);
            assertThat(second.awaitEnd()).isEmpty();
        }
        try (SockJsStream events = StreamingTransport.EVENTSOURCE.start(endpoint, id)) {
            StreamingTransport.EVENTSOURCE.readPrelude(events);
            assertThat(StreamingTransport.EVENTSOURCE.nextFrame(events).text()).isEqualTo(closeFrame);
            assertThat(events.awaitEnd()).isEmpty();
        }
        assertThat(session.poll().body()).isEqualTo(closeFrame + "\n");
        assertThat(session.poll().body()).isEqualTo(closeFrame + "\n");
        assertThat(endpoint.get(session.path("jsonp?c=x")).body()).isEqualTo("x(" + SockJsFrames.jsonString(closeFrame)
                + ");\r\n");
    }

    // ---------------------------------------------------------------- websocket transport

    private static SockJsWebSocket openWebsocket(SockJsService service, SockJsEndpoint endpoint, String sessionId)
            throws Exception {
        SockJsWebSocket socket = SockJsWebSocket.connect(endpoint.wsUri(SockJsEndpoint.sessionPath("000", sessionId,
                "websocket")));
        assertThat(socket.next()).as("open frame").isEqualTo("o");
        String first = service.greetingFromClient(SockJsService.USER);
        if (first != null) {
            socket.send(SockJsFrames.sendBody(first));
        }
        assertThat(SockJsFrames.messages(socket.nextNotHeartbeat())).singleElement().matches(service.isGreeting());
        return socket;
    }

    /** Spec WebsocketHybi10.test_transport and WebsocketHixie76.test_empty_frame (on RFC 6455, which the spec's later revisions keep alone). */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theWebsocketTransportCarriesFramesAndIgnoresEmptyMessages(SockJsService service) throws Exception {
        try (SockJsWebSocket socket = openWebsocket(service, service.endpoint(server, "ws"), SockJsEndpoint.freshSessionId())) {
            socket.send("");
            socket.send(SockJsFrames.sendBody(service.probe("ws")));
            assertThat(socket.nextNotHeartbeat()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("ws")));
        }
    }

    /** Spec WebsocketHybi10.test_broken_json: "the server must abruptly terminate the ws connection". */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void brokenJsonOnTheWebsocketTransportEndsTheConnection(SockJsService service) throws Exception {
        try (SockJsWebSocket socket = openWebsocket(service, service.endpoint(server, "ws-broken"),
                SockJsEndpoint.freshSessionId())) {
            socket.send("[\"a");
            assertThat(socket.awaitClose()).isNotNull();
            assertThat(socket.isOpen()).isFalse();
        }
    }

    /**
     * Spec WebsocketHixie76.test_reuseSessionId: a websocket session lives as long as its
     * connection, so two connections may share a session id, and it may be used again after.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aWebsocketSessionIdMayServeTwoConnectionsAtOnceAndAgainAfterwards(SockJsService service) throws Exception {
        String id = SockJsEndpoint.freshSessionId();
        try (SockJsWebSocket one = openWebsocket(service, service.endpoint(server, "ws-reuse"), id);
                SockJsWebSocket two = openWebsocket(service, service.endpoint(server, "ws-reuse"), id)) {
            one.send(SockJsFrames.sendBody(service.probe("one")));
            assertThat(one.nextNotHeartbeat()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("one")));
            two.send(SockJsFrames.sendBody(service.probe("two")));
            assertThat(two.nextNotHeartbeat()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("two")));
            assertThat(one.isOpen()).isTrue();
            assertThat(two.isOpen()).isTrue();
        }
        try (SockJsWebSocket again = openWebsocket(service, service.endpoint(server, "ws-reuse"), id)) {
            again.send(SockJsFrames.sendBody(service.probe("again")));
            assertThat(again.nextNotHeartbeat()).isEqualTo(SockJsFrames.messageFrame(service.probeAnswer("again")));
        }
    }

    /** Spec WebsocketHybi10.test_close (the spec's "close" service becomes a close by the server). */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aSessionTheServerClosesOnTheWebsocketTransportGetsItsCloseFrameThenTheConnectionEnds(SockJsService service)
            throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "ws-close");
        try (SockJsWebSocket socket = openWebsocket(service, endpoint, SockJsEndpoint.freshSessionId())) {
            String expected;
            if (service == SockJsService.CHANNEL) {
                assertThat(api.delete("/api/v1/channels/" + endpoint.channelId()).status()).isIn(200, 202, 204);
                expected = SockJsFrames.closeFrame(CloseCode.OPERATOR.code(), CloseCode.OPERATOR.reason());
            } else {
                socket.send(SockJsFrames.sendBody("DISCONNECT\nreceipt:bye\n\n\0"));
                assertThat(socket.nextNotHeartbeat()).isEqualTo(SockJsFrames.messageFrame("RECEIPT\nreceipt-id:bye\n\n\0"));
                expected = SockJsFrames.closeFrame(CloseCode.NORMAL.code(), CloseCode.NORMAL.reason());
            }
            assertThat(socket.nextNotHeartbeat()).isEqualTo(expected);
            assertThat(socket.awaitClose()).isNotNull();
        }
    }

    /** Spec WebsocketHttpErrors: the websocket URL is for upgrades, by GET only. */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theWebsocketUrlRefusesPlainRequestsAndOtherMethods(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "ws-http");
        String path = SockJsEndpoint.sessionPath("0", "0", "websocket");
        SockJsEndpoint.Response plain = endpoint.get(path);
        assertThat(plain.status()).as("GET without Upgrade: %s", plain).isEqualTo(400);
        assertThat(plain.body()).contains("Can \"Upgrade\" only to \"WebSocket\".");
        SockJsEndpoint.Response post = endpoint.post(path, null);
        // Spec "verify405": Allow, no Content-Type, no body.
        assertThat(post.status()).as("POST: %s", post).isEqualTo(405);
        assertThat(post.header("Allow")).as("Allow").isPresent();
        assertThat(post.header("Content-Type")).as("Content-Type").isEmpty();
        assertThat(post.body()).isEmpty();
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, "POST", endpoint.pathAndQuery(path), "HTTP/1.1", "", "Upgrade", "WebSocket",
                    "Connection", "Upgrade");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).as("POST with upgrade headers").isEqualTo(405);
            assertThat(head.header("Allow")).isNotNull();
            assertThat(head.header("Content-Type")).isNull();
            assertThat(head.header("Content-Length")).isIn(null, "0");
        }
    }

    /**
     * Spec WebsocketHttpErrors.test_invalidConnectionHeader: a proxy that rewrote Connection must not
     * get a half-made upgrade. Directly only: nginx sets Connection itself (server-config/nginx).
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void anUpgradeWhoseConnectionHeaderIsNotUpgradeIsRefused(SockJsService service) throws Exception {
        assumeThat(NginxFront.requested()).as("nginx rewrites the Connection header").isFalse();
        SockJsEndpoint endpoint = service.endpoint(server, "ws-connection");
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, "GET", endpoint.pathAndQuery(SockJsEndpoint.sessionPath("0", "0", "websocket")), "HTTP/1.1",
                    null, "Upgrade", "WebSocket", "Connection", "close");
            assertThat(http.readHead().status()).isEqualTo(400);
        }
    }

    /**
     * Spec WebsocketHybi10.test_headersSanity and test_firefox_602_connection_header, for RFC 6455
     * (version 13; the drafts 7 and 8 and Hixie-76 are gone from browsers and from the spec's later revisions).
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theWebsocketUpgradeAnswersAsRfc6455AlsoForFirefoxsConnectionHeader(SockJsService service) throws Exception {
        for (String connection : List.of("Upgrade", "keep-alive, Upgrade")) {
            SockJsEndpoint endpoint = service.endpoint(server, "ws-headers");
            try (RawHttp http = RawHttp.connect(server)) {
                http.send(server, "GET", endpoint.pathAndQuery(SockJsEndpoint.sessionPath("000",
                        SockJsEndpoint.freshSessionId(), "websocket")), "HTTP/1.1", null, "Upgrade", "websocket",
                        "Connection", connection, "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key",
                        "x3JJHMbDL1EzLkh9GBhXDw==");
                RawHttp.Head head = http.readHead();
                assertThat(head.status()).as("upgrade with Connection '%s'", connection).isEqualTo(101);
                assertThat(head.header("Sec-WebSocket-Accept")).isEqualTo("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
                // The spec checks the answer's Connection for a plain request only (a server may echo keep-alive).
                assertThat(head.header("Connection").toLowerCase()).contains("upgrade");
                assertThat(head.header("Upgrade")).isEqualToIgnoringCase("websocket");
                assertThat(head.header("Content-Length")).isNull();
            }
        }
    }

    // ---------------------------------------------------------------- raw websocket

    /**
     * Spec RawWebsocket.test_transport: {@code <base>/websocket} is the service without SockJS
     * framing (no {@code o}, no heart-beat frames, no arrays): our {@code /ws/stomp} or {@code /ws/channel}.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void theRawWebsocketUrlIsThePlainEndpointWithoutSockJsFraming(SockJsService service) throws Exception {
        try (SockJsWebSocket socket = SockJsWebSocket.connect(service.endpoint(server, "raw-ws").wsUri("/websocket"))) {
            String first = service.greetingFromClient(SockJsService.USER);
            if (first != null) {
                socket.send(first);
            }
            assertThat(socket.next()).matches(service.isGreeting());
            socket.send(service.subscribe(ECHO_TOPIC, "raw"));
            assertThat(socket.next()).matches(service.isSubscribed(ECHO_TOPIC, "raw"));
            socket.send(service.echoRequest("Hello world!\uffff"));
            String reply;
            do {
                reply = service.topicData(ECHO_TOPIC, socket.next()).orElse(null);
            } while (reply == null || !reply.startsWith("reply: Hello"));
            assertThat(reply).isEqualTo("reply: Hello world!\uffff");
        }
    }

    /** Spec RawWebsocket.test_close: closed by the server with a WebSocket close, not a SockJS frame. */
    @Test
    void theRawChannelWebsocketIsClosedWithAWebSocketCloseFrame() throws Exception {
        SockJsEndpoint endpoint = SockJsService.CHANNEL.endpoint(server, "raw-ws-close");
        try (SockJsWebSocket socket = SockJsWebSocket.connect(endpoint.wsUri("/websocket"))) {
            assertThat(socket.next()).matches(SockJsService.CHANNEL.isGreeting());
            assertThat(api.delete("/api/v1/channels/" + endpoint.channelId()).status()).isIn(200, 202, 204);
            assertThat(socket.awaitClose().getCloseCode().getCode()).isEqualTo(CloseCode.OPERATOR.code());
        }
    }

    // ---------------------------------------------------------------- JSON encoding

    /**
     * Spec JSONEncoding.test_xhr_server_encodes: the characters browsers mangle travel escaped.
     * The spec's echo sends the message back as it came; here the echo handler's reply carries it,
     * inside a STOMP body as it is (so the frame must hold exactly the spec's lower-case escapes),
     * or inside the native JSON (so at least no character of the set may appear raw).
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void framesEscapeTheCharactersThatBrowsersMangle(SockJsService service) throws Exception {
        String mangled = SockJsFrames.charactersOf(SockJsFrames.ESCAPED_BY_SERVERS, 0x100, 0xffff);
        assertThat(mangled).hasSize(44);
        SockJsSession session = service.openReady(service.endpoint(server, "server-escapes"));
        service.subscribeAndConfirm(session, "echo");
        // Sent raw, as the spec's test sends them: only what JSON requires is escaped.
        assertThat(session.sendRaw(Json.createArrayBuilder().add(service.echoRequest(mangled)).build().toString())
                .status()).isEqualTo(204);

        String frame = rawFrameWithEcho(service, session, "reply: " + mangled);
        assertThat(frame).as("raw characters of the set in the frame")
                .doesNotContainPattern(SockJsFrames.ESCAPED_BY_SERVERS);
        if (service == SockJsService.STOMP) {
            assertThat(frame).contains("reply: " + SockJsFrames.unicodeEscaped(mangled));
        }
    }

    /** Polls until a frame carries the echo reply {@code reply}; returns that frame as it came, without its newline. */
    private static String rawFrameWithEcho(SockJsService service, SockJsSession session, String reply) throws Exception {
        for (int polls = 0; polls < 20; polls++) {
            String frame = session.nextFrame();
            if (frame.startsWith("a[") && SockJsFrames.messages(frame).stream()
                    .map(message -> service.topicData("echo", message)).flatMap(java.util.Optional::stream)
                    .anyMatch(reply::equals)) {
                return frame;
            }
        }
        throw new AssertionError("no echo reply '" + reply + "' in 20 polls");
    }

    /**
     * Spec JSONEncoding.test_xhr_server_decodes: what sockjs-client escapes (over a thousand
     * characters, NUL included) arrives as the characters themselves, and so does a surrogate pair.
     */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void charactersThatBrowsersEscapeArriveAsThemselves(SockJsService service) throws Exception {
        String escapedByBrowsers = SockJsFrames.charactersOf(SockJsFrames.ESCAPED_BY_CLIENTS, 0, 0xffff);
        assertThat(escapedByBrowsers).hasSize(1093);
        String text = escapedByBrowsers + "\uD83D\uDE00";
        SockJsSession session = service.openReady(service.endpoint(server, "client-escapes"));
        service.subscribeAndConfirm(session, "echo");
        session.send(service.echoRequest(text));
        String reply = service.topicData("echo", session.awaitMessage(
                message -> service.topicData("echo", message).isPresent(), Duration.ofSeconds(10))).orElseThrow();
        assertThat(reply).isEqualTo("reply: " + text);
    }

    // ---------------------------------------------------------------- HTTP/1.0 and HTTP/1.1

    /** Spec Http10.test_synchronous: no chunking for an HTTP/1.0 client. */
    @Test
    void theGreetingToAnHttp10ClientIsDelimitedWithoutChunking() throws Exception {
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, "GET", SockJsEndpoint.STOMP, "HTTP/1.0", null, "Connection", "Keep-Alive");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.version()).isIn("1.0", "1.1");
            assertThat(head.header("Transfer-Encoding")).isNull();
            if (head.header("Content-Length") == null) {
                assertThat(head.header("Connection")).isEqualToIgnoringCase("close");
                assertThat(http.readToEnd()).isEqualTo("Welcome to SockJS!\n");
            } else {
                assertThat(head.header("Content-Length")).isEqualTo("19");
                assertThat(http.read(19)).isEqualTo("Welcome to SockJS!\n");
            }
        }
    }

    /** Spec Http11.test_synchronous: Content-Length or chunks, and the connection stays for the next request. */
    @Test
    void theGreetingToAnHttp11ClientKeepsTheConnectionForTheNextRequest() throws Exception {
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, "GET", SockJsEndpoint.STOMP, "HTTP/1.1", null, "Connection", "Keep-Alive");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Connection")).satisfiesAnyOf(value -> assertThat(value).isNull(),
                    value -> assertThat(value).isEqualToIgnoringCase("keep-alive"));
            if (head.header("Content-Length") != null) {
                assertThat(head.header("Content-Length")).isEqualTo("19");
                assertThat(http.read(19)).isEqualTo("Welcome to SockJS!\n");
            } else {
                assertThat(head.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
                assertThat(http.readChunksThrough("\n")).isEqualTo("Welcome to SockJS!\n");
                assertThat(http.chunkedBodyEnds()).isTrue();
            }
            http.send(server, "GET", SockJsEndpoint.STOMP, "HTTP/1.1", null, "Connection", "Keep-Alive");
            assertThat(http.readHead().status()).isEqualTo(200);
        }
    }

    /**
     * Spec Http10.test_streaming: to an HTTP/1.0 client a streaming response has neither chunks
     * nor a length, and ends by closing the connection (here after the session was closed).
     */
    @Test
    void xhrStreamingToAnHttp10ClientEndsByClosingTheConnection() throws Exception {
        SockJsEndpoint endpoint = SockJsService.CHANNEL.endpoint(server, "http10-stream");
        String closeFrame = SockJsFrames.closeFrame(CloseCode.OPERATOR.code(), CloseCode.OPERATOR.reason());
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, "POST", endpoint.pathAndQuery(SockJsEndpoint.sessionPath("000",
                    SockJsEndpoint.freshSessionId(), "xhr_streaming")), "HTTP/1.0", "", "Connection", "Keep-Alive");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isNull();
            assertThat(head.header("Content-Length")).isNull();
            assertThat(http.read(2049)).startsWith("h");
            assertThat(http.read(2)).isEqualTo("o\n");
            assertThat(SockJsFrames.messages(http.readThrough("\n").strip())).singleElement()
                    .matches(SockJsService.CHANNEL.isGreeting());
            assertThat(api.delete("/api/v1/channels/" + endpoint.channelId()).status()).isIn(200, 202, 204);
            assertThat(http.readThrough("\n")).isEqualTo(closeFrame + "\n");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    /** Spec Http11.test_streaming: chunked, no length, and a last chunk after the close frame. */
    @Test
    void xhrStreamingToAnHttp11ClientIsChunkedAndEndsWithTheLastChunk() throws Exception {
        SockJsEndpoint endpoint = SockJsService.CHANNEL.endpoint(server, "http11-stream");
        String closeFrame = SockJsFrames.closeFrame(CloseCode.OPERATOR.code(), CloseCode.OPERATOR.reason());
        try (RawHttp http = RawHttp.connect(server)) {
            http.send(server, "POST", endpoint.pathAndQuery(SockJsEndpoint.sessionPath("000",
                    SockJsEndpoint.freshSessionId(), "xhr_streaming")), "HTTP/1.1", "", "Connection", "Keep-Alive");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
            assertThat(head.header("Content-Length")).isNull();
            assertThat(http.readChunksThrough("\n")).isEqualTo("h".repeat(2048) + "\n");
            assertThat(http.readChunksThrough("\n")).isEqualTo("o\n");
            assertThat(SockJsFrames.messages(http.readChunksThrough("\n").strip())).singleElement()
                    .matches(SockJsService.CHANNEL.isGreeting());
            assertThat(api.delete("/api/v1/channels/" + endpoint.channelId()).status()).isIn(200, 202, 204);
            assertThat(http.readChunksThrough("\n")).isEqualTo(closeFrame + "\n");
            assertThat(http.chunkedBodyEnds()).isTrue();
        }
    }

    /** The plan's rule for methods a transport does not take (the spec tests only the websocket URL's POST). */
    @ParameterizedTest
    @EnumSource(SockJsService.class)
    void aTransportAnswersOtherMethodsWith405(SockJsService service) throws Exception {
        SockJsEndpoint endpoint = service.endpoint(server, "methods");
        String id = SockJsEndpoint.freshSessionId();
        for (String transport : List.of("xhr", "xhr_send", "xhr_streaming")) {
            SockJsEndpoint.Response get = endpoint.get(SockJsEndpoint.sessionPath("000", id, transport));
            assertThat(get.status()).as("GET %s: %s", transport, get).isEqualTo(405);
            assertThat(get.header("Allow")).as("Allow of %s", transport).hasValueSatisfying(allow ->
                    assertThat(allow).contains("POST"));
        }
        SockJsEndpoint.Response put = endpoint.method("PUT", SockJsEndpoint.sessionPath("000", id, "eventsource"));
        assertThat(put.status()).as("PUT eventsource: %s", put).isEqualTo(405);
    }
}
