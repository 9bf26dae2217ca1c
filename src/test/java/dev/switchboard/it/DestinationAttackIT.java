package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reaching what belongs to someone else through destination names: user A subscribing to user B's
 * user destination over native, STOMP and SockJS (refused, and B's pushes never reach A), and topic
 * names with {@code ..}, {@code %2F}, NUL and non-ASCII characters on the native protocol, STOMP
 * and the HTTP API (refused with the protocol's answer; the session stays usable where the
 * protocol allows it), and paths that would walk out of {@code /api/v1/topics} without credentials.
 */
@ContainerMatrix
class DestinationAttackIT {

    /** User destinations of bob as alice might try to name them. */
    private static final List<String> BOBS_DESTINATIONS = List.of("/user/bob/queue/notes", "/user/bob/notes",
            "/user/queue/../bob/queue/notes", "/user/queue/notes/../../bob/queue/notes", "/user//bob/queue/notes",
            "/user/queue/bob%2Fqueue%2Fnotes", "/user/queue/notes/bob");

    /** Topic names that must never be taken for a topic (or a path). */
    private static final List<String> BAD_TOPICS = List.of("a/../b", "/..", "../", "../broadcast", "a%2Fb", "a%2fb",
            "a\u0000b", "caf\u00e9", "\u30c8\u30d4\u30c3\u30af", "a b", "", "x".repeat(129), "a\nb");

    @RegisterExtension
    static final ServerProcess server = ServerProcess.perTestClass("attack-destinations", Map.of());
    @RegisterExtension
    final ControlTraffic control = ControlTraffic.beside(server);

    @AfterAll
    static void noTokenReachedTheLog() throws Exception {
        Attack.assertNoTokenInTheLog(server);
    }
    private static final HttpApi api = HttpApi.withApiKey(server);

    @Test
    void stompUserACannotSubscribeToUserBsDestinationNorReceiveItsPushes() throws Exception {
        try (RawStompClient bob = stompConnected("bob"); RawStompClient alice = stompConnected("alice")) {
            subscribeWithReceipt(bob, "/user/queue/notes");
            subscribeWithReceipt(alice, "/user/queue/notes");
            for (String destination : BOBS_DESTINATIONS) {
                try (RawStompClient mallory = stompConnected("alice")) {
                    mallory.send("SUBSCRIBE\nid:0\ndestination:" + destination + "\nreceipt:r\n\n\0");
                    assertThat(mallory.nextFrame()).as(destination).startsWith("ERROR\n");
                    assertThat(mallory.awaitClose(10).getCloseCode().getCode()).as(destination).isEqualTo(1008);
                }
            }
            pushAndAssertOnlyTheOwnerReceives(() -> bob.nextFrame(), () -> alice.nextFrame());
        }
    }

    @Test
    void nativeUserACannotSubscribeToUserBsDestinationNorReceiveItsPushes() throws Exception {
        try (ChannelClient bob = ChannelClient.connect(server, TestTokens.token("bob"), "dest-bob");
                ChannelClient alice = ChannelClient.connect(server, TestTokens.token("alice"), "dest-alice")) {
            bob.expect("welcome");
            alice.expect("welcome");
            for (String destination : BOBS_DESTINATIONS) {
                alice.send("{\"type\":\"subscribe\",\"topic\":" + jsonString(destination) + "}");
                JsonObject error = alice.expect("error");
                assertThat(error.getString("code")).as(destination).isEqualTo("bad_request");
            }
            pushAndAssertOnlyTheOwnerReceives(() -> bob.awaitFrame("message").toString(),
                    () -> alice.awaitFrame("message").toString());
        }
    }

    @Test
    void sockJsUserACannotSubscribeToUserBsDestinationNorReceiveItsPushes() throws Exception {
        SockJsSession bob = SockJsEndpoint.stomp(server).newSession().open();
        bob.send(SockJsService.stompConnect(TestTokens.token("bob")));
        assertThat(bob.nextMessage(Duration.ofSeconds(10))).startsWith("CONNECTED\n");
        bob.send("SUBSCRIBE\nid:0\ndestination:/user/queue/notes\nreceipt:r\n\n\0");
        assertThat(bob.nextMessage(Duration.ofSeconds(10))).startsWith("RECEIPT\n");
        for (String destination : BOBS_DESTINATIONS.subList(0, 3)) {
            SockJsSession mallory = SockJsEndpoint.stomp(server).newSession().open();
            mallory.send(SockJsService.stompConnect(TestTokens.token("alice")));
            assertThat(mallory.nextMessage(Duration.ofSeconds(10))).startsWith("CONNECTED\n");
            mallory.send("SUBSCRIBE\nid:0\ndestination:" + destination + "\nreceipt:r\n\n\0");
            assertThat(mallory.nextMessage(Duration.ofSeconds(10))).as(destination).startsWith("ERROR\n");
        }
        SockJsSession alice = SockJsEndpoint.channel(server, TestTokens.token("alice"),
                SockJsEndpoint.freshChannelId("dest-sockjs-alice")).newSession().open();
        assertThat(alice.nextMessage(Duration.ofSeconds(10))).contains("\"type\":\"welcome\"");
        alice.send("{\"type\":\"subscribe\",\"topic\":\"/user/bob/queue/notes\"}");
        assertThat(alice.nextMessage(Duration.ofSeconds(10))).contains("\"type\":\"error\"").contains("bad_request");
        pushAndAssertOnlyTheOwnerReceives(() -> bob.awaitMessage(m -> m.startsWith("MESSAGE\n"), Duration.ofSeconds(10)),
                () -> alice.awaitMessage(m -> m.contains("\"type\":\"message\""), Duration.ofSeconds(10)));
    }

    @Test
    void badTopicNamesAreBadRequestsOnTheNativeProtocolAndTheSessionStaysUsable() throws Exception {
        try (ChannelClient client = ChannelClient.connect(server, TestTokens.token("namer", "publisher"), "dest-names")) {
            client.expect("welcome");
            for (String topic : BAD_TOPICS) {
                for (String type : List.of("subscribe", "publish")) {
                    client.send("{\"type\":\"" + type + "\",\"topic\":" + jsonString(topic) + ",\"data\":1}");
                    JsonObject error = client.expect("error");
                    assertThat(error.getString("code")).as("%s %s", type, printable(topic)).isEqualTo("bad_request");
                }
                client.send("{\"type\":\"ping\"}");
                client.expect("pong");
            }
        }
    }

    /**
     * {@code ..} matches the name rule ({@code [A-Za-z0-9._:-]{1,128}}): names are flat, so it is
     * one more name that leads nowhere else. Publishing to it reaches its subscribers and nobody else.
     */
    @Test
    void dotDotIsAFlatNameThatReachesNoOtherTopic() throws Exception {
        try (ChannelClient dots = ChannelClient.connect(server, TestTokens.token("dots"), "dest-dots");
                ChannelClient other = ChannelClient.connect(server, TestTokens.token("other"), "dest-other");
                ChannelClient publisher = ChannelClient.connect(server, TestTokens.token("pub", "publisher"), "dest-pub")) {
            dots.expect("welcome");
            other.expect("welcome");
            publisher.expect("welcome");
            dots.send("{\"type\":\"subscribe\",\"topic\":\"..\"}");
            dots.expect("subscribed");
            other.send("{\"type\":\"subscribe\",\"topic\":\"dest-root\"}");
            other.expect("subscribed");
            publisher.send("{\"type\":\"publish\",\"topic\":\"..\",\"data\":\"to-dots\"}");
            assertThat(dots.expect("message").getString("topic")).isEqualTo("..");
            publisher.send("{\"type\":\"publish\",\"topic\":\"dest-root\",\"data\":\"to-root\"}");
            assertThat(other.expect("message").getString("data")).isEqualTo("to-root"); // and not "to-dots" first
        }
    }

    @Test
    void badTopicNamesAreRefusedOnStomp() throws Exception {
        for (String topic : BAD_TOPICS) {
            if (topic.contains("\u0000") || topic.contains("\n")) {
                continue; // a NUL ends a STOMP frame and a newline a header: nothing of a name is left to refuse
            }
            try (RawStompClient client = stompConnected("namer")) {
                client.send("SUBSCRIBE\nid:0\ndestination:/topic/" + topic + "\nreceipt:r\n\n\0");
                assertThat(client.nextFrame()).as(printable(topic)).startsWith("ERROR\n");
                assertThat(client.awaitClose(10).getCloseCode().getCode()).isEqualTo(1008);
            }
        }
    }

    @Test
    void badTopicNamesAreNotPublishedThroughTheHttpApi() throws Exception {
        // Refused by the application with its JSON answer.
        for (String encoded : List.of("caf%C3%A9", "a%20b", "%252e%252e", "%E3%83%88", "a%0Ab", "x".repeat(129))) {
            Attack.assertRefused(Attack.exchange(server, "POST", "/api/v1/topics/" + encoded + "/messages",
                    "{\"data\":1}", "Authorization", "Bearer " + TestTokens.API_KEY, "Content-Type", "application/json"),
                    400, "bad_request");
        }
        // Refused by the container before the application sees them (an encoded '/' or NUL): 400, in
        // JSON where the container's pages are ours (the standalone's error report valve; another
        // container's own pages are its configuration's business, docs/security.md).
        boolean ourPages = server.deploymentName().equals("standalone") && !NginxFront.requested();
        for (String encoded : List.of("..%2Fbroadcast", "a%2Fb", "a%2fb", "a%00b")) {
            Attack.Refusal refusal = Attack.exchange(server, "POST", "/api/v1/topics/" + encoded + "/messages",
                    "{\"data\":1}", "Authorization", "Bearer " + TestTokens.API_KEY, "Content-Type", "application/json");
            if (ourPages) {
                Attack.assertRefused(refusal, 400, "bad_request");
            } else {
                // Payara decodes the '/' and normalises: the application then finds no such resource (404).
                assertThat(refusal.status()).as("%s: %s", encoded, refusal).isIn(400, 404);
            }
        }
    }

    @Test
    void pathTricksDoNotGetPastTheApisAuthentication() throws Exception {
        for (String path : List.of("/api/v1/topics/x/../../broadcast", "/api/v1/topics/..;/broadcast",
                "/health/../api/v1/broadcast", "/health/..;/api/v1/broadcast", "/api/v1/broadcast;/health",
                "//api/v1/broadcast", "/./api/v1/broadcast", "/api/v1/broadcast/", "/health/%2e%2e/api/v1/broadcast")) {
            Attack.Refusal refusal = Attack.exchange(server, "POST", path, "{\"data\":\"bypass\"}",
                    "Content-Type", "application/json");
            // Never a 2xx. Which refusal depends on how the container normalises the path: Payara and
            // WildFly resolve "/health/..;/api/..." to a servlet that answers POST with 405.
            assertThat(refusal.status()).as("%s: %s", path, refusal).isIn(400, 401, 404, 405);
        }
        assertThat(api.get("/api/v1/stats").json().toString()).isNotEmpty();
    }

    /**
     * Pushes to bob, then to alice; bob receives his, and the first user message alice receives
     * is hers: bob's was never queued for her (a session receives in the order the server accepted).
     */
    private static void pushAndAssertOnlyTheOwnerReceives(Next bobsNext, Next alicesNext) throws Exception {
        assertThat(api.post("/api/v1/users/bob/messages", "{\"data\":\"for-bob-only\",\"destination\":\"notes\"}")
                .status()).isEqualTo(202);
        assertThat(bobsNext.next()).contains("for-bob-only");
        assertThat(api.post("/api/v1/users/alice/messages", "{\"data\":\"for-alice\",\"destination\":\"notes\"}")
                .status()).isEqualTo(202);
        assertThat(alicesNext.next()).contains("for-alice").doesNotContain("for-bob-only");
    }

    @FunctionalInterface
    private interface Next {
        String next() throws Exception;
    }

    private static RawStompClient stompConnected(String user) throws Exception {
        RawStompClient client = RawStompClient.connect(server);
        client.send(SockJsService.stompConnect(TestTokens.token(user, "publisher")));
        assertThat(client.nextFrame()).startsWith("CONNECTED\n");
        return client;
    }

    private static void subscribeWithReceipt(RawStompClient client, String destination) throws Exception {
        client.send("SUBSCRIBE\nid:0\ndestination:" + destination + "\nreceipt:sub\n\n\0");
        assertThat(client.nextFrame()).startsWith("RECEIPT\n");
    }

    private static String jsonString(String text) {
        return jakarta.json.Json.createValue(text).toString();
    }

    private static String printable(String text) {
        return text.replace("\u0000", "\\0").replace("\n", "\\n");
    }
}
