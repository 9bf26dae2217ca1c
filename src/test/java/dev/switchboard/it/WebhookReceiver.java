package dev.switchboard.it;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A backend's webhook endpoint, as a user would write one: takes the POSTs, checks the signature
 * with the shared secret, and answers 200, or 500 to the first request about the user named in
 * {@link #failFirstRequestAbout}.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One POST as it arrived: its events, and whether its signature matched the body. */
    record Request(List<JsonObject> events, boolean signatureValid) {
    }

    private final HttpServer server;
    private final String secret;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final AtomicReference<String> failFor = new AtomicReference<>();

    WebhookReceiver(String secret) throws IOException {
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hooks/switchboard", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("X-Switchboard-Signature");
            JsonArray array = Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8)))
                    .readArray();
            List<JsonObject> events = array.getValuesAs(JsonObject.class);
            requests.add(new Request(events, expectedSignature(body).equals(signature)));
            String user = failFor.get();
            boolean fail = user != null && events.stream().anyMatch(e -> user.equals(e.getString("user", null)))
                    && failFor.compareAndSet(user, null);
            int status = fail ? 500 : 200;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/switchboard";
    }

    /** The next request with an event of {@code user} is answered 500. */
    void failFirstRequestAbout(String user) {
        failFor.set(user);
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Every event received so far, in arrival order, duplicates (retries) included. */
    List<JsonObject> events() {
        return requests.stream().flatMap(request -> request.events().stream()).toList();
    }

    /** The names of the received events that concern {@code subject} (a user or a topic), in arrival order. */
    List<String> namesFor(String subject) {
        return events().stream()
                .filter(event -> subject.equals(event.getString("user", null))
                        || subject.equals(event.getString("topic", null)))
                .map(event -> event.getString("name"))
                .toList();
    }

    private String expectedSignature(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
