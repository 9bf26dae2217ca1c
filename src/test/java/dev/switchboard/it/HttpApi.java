package dev.switchboard.it;

import jakarta.json.JsonObject;
import java.io.IOException;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** A backend calling the HTTP API with the JDK's HTTP client. */
final class HttpApi {

    /** A response: status, body text and headers. */
    record Response(int status, String body, HttpHeaders headers) {
        JsonObject json() {
            return ChannelClient.JSONB.fromJson(body, JsonObject.class);
        }

        /** The first value of header {@code name} (any case), if the response has it. */
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    private final HttpClient http;
    private final ServerProcess server;
    private final String credential;

    HttpApi(ServerProcess server, String credential) {
        this(server, credential, HttpClient.newHttpClient());
    }

    private HttpApi(ServerProcess server, String credential, HttpClient http) {
        this.server = server;
        this.credential = credential;
        this.http = http;
    }

    /** With the test API key. */
    static HttpApi withApiKey(ServerProcess server) {
        return new HttpApi(server, TestTokens.API_KEY);
    }

    /**
     * With the test API key, over HTTP/1.1 only. The JDK client otherwise upgrades to h2c where the
     * server offers it, and Payara's Grizzly keeps every finished HTTP/2 stream of a connection
     * (server-config/README.md): a test that measures the heap across thousands of calls would
     * measure that instead.
     */
    static HttpApi withApiKeyOverHttp11(ServerProcess server) {
        return new HttpApi(server, TestTokens.API_KEY,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
    }

    Response post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"));
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Response delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.uri(path));
        if (credential != null) {
            builder.header("Authorization", "Bearer " + credential);
        }
        return builder;
    }

    private Response send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response.headers());
    }
}
