package dev.switchboard.api;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.ChannelHolder;
import dev.switchboard.broker.ClusterUnavailableException;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.InboxEntry;
import dev.switchboard.broker.PublishReceipt;
import dev.switchboard.broker.NodeReport;
import dev.switchboard.broker.PushReceipt;
import dev.switchboard.broker.SessionRecord;
import dev.switchboard.broker.TopicCounts;
import dev.switchboard.broker.TopicNames;
import dev.switchboard.push.PushRefusedException;
import dev.switchboard.push.Pusher;
import dev.switchboard.security.JsonResponseWriter;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP API for backends and operators under {@code /api/v1} (docs/http-api.md). Every
 * request needs the API key or an admin token; bodies are JSON objects of at most 1 MiB. Pushes
 * go through the {@link Pusher} that application code uses too: this servlet reads the request
 * and writes the receipt, the Pusher holds the rules.
 */
@WebServlet(urlPatterns = "/api/v1/*")
public final class ApiServlet extends HttpServlet {

    private static final int MAX_BODY_BYTES = 1024 * 1024;
    /** Topics that GET /api/v1/topics looks at, at most: in cluster mode each costs a Redis call. */
    static final int TOPIC_LIST_LIMIT = 1000;

    // Field injection: servlet containers create servlets themselves, so CDI can only inject fields.
    @Inject
    private transient Broker broker;
    @Inject
    private transient ApiGate gate;
    @Inject
    private transient Pusher pusher;
    @Inject
    private transient Jsonb jsonb;
    @Inject
    private transient JsonResponseWriter responses;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (gate.admit(request, response).isEmpty()) {
            return;
        }
        String[] path = segments(request.getPathInfo());
        try {
            Object body = route(request.getMethod(), path, request);
            if (body == null) {
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            } else {
                responses.write(response, request.getMethod().equals("POST") ? 202 : 200, body);
            }
        } catch (ApiException e) {
            if (e.status() == 405) {
                response.setHeader("Allow", ALLOWED_METHODS.get(shape(path)));
            }
            responses.writeError(response, e.status(), e.error(), e.getMessage());
        } catch (PushRefusedException e) {
            boolean tooLarge = e.reason() == PushRefusedException.Reason.TOO_LARGE;
            responses.writeError(response, tooLarge ? 413 : 400, tooLarge ? "too_large" : "bad_request", e.getMessage());
        } catch (ClusterUnavailableException e) {
            // Cluster mode with Redis out of reach: nothing was accepted; the backend retries.
            response.setHeader("Retry-After", "1");
            responses.writeError(response, 503, "unavailable", "the cluster is unavailable; try again shortly");
        }
    }

    private Object route(String method, String[] p, HttpServletRequest request) throws IOException, ApiException {
        switch (method) {
            case "POST":
                if (p.length == 3 && p[0].equals("topics") && p[2].equals("messages")) {
                    return publish(p[1], body(request));
                }
                if (p.length == 3 && p[0].equals("users") && p[2].equals("messages")) {
                    return pushToUser(p[1], body(request));
                }
                if (p.length == 3 && p[0].equals("channels") && p[2].equals("messages")) {
                    return pushToChannel(p[1], body(request));
                }
                if (p.length == 1 && p[0].equals("broadcast")) {
                    PushReceipt receipt = pusher.toEveryone(data(body(request)));
                    return Map.of("id", receipt.id(), "sessions", receipt.sessions());
                }
                break;
            case "GET":
                if (p.length == 1 && p[0].equals("channels")) {
                    return Map.of("channels", broker.openChannels().stream().map(this::describeChannel).toList());
                }
                if (p.length == 3 && p[0].equals("users") && p[2].equals("sessions")) {
                    return Map.of("user", p[1], "sessions",
                            broker.sessionsOf(p[1]).stream().map(this::describeSession).toList());
                }
                if (p.length == 3 && p[0].equals("users") && p[2].equals("inbox")) {
                    return describeInbox("user", p[1], broker.pendingFor(p[1]), broker.deadLettersOf(p[1]));
                }
                if (p.length == 3 && p[0].equals("channels") && p[2].equals("inbox")) {
                    return describeInbox("channelId", p[1], broker.pendingForChannel(p[1]),
                            broker.deadLettersOfChannel(p[1]));
                }
                if (p.length == 1 && p[0].equals("topics")) {
                    return describeTopics(broker.topics(TOPIC_LIST_LIMIT));
                }
                if (p.length == 3 && p[0].equals("topics") && p[2].equals("presence")) {
                    String topic = topic(p[1]);
                    return Map.of("topic", topic, "users", broker.presence(topic).stream().sorted().toList());
                }
                if (p.length == 1 && p[0].equals("stats")) {
                    return stats();
                }
                break;
            case "DELETE":
                if (p.length == 2 && p[0].equals("channels")) {
                    if (!broker.disconnectChannel(p[1], CloseCode.OPERATOR)) {
                        throw ApiException.notFound("no open session on channel " + p[1]);
                    }
                    return null;
                }
                break;
            default:
                break;
        }
        // Any other method on a known path, PUT and PATCH included, is a 405 (docs/http-api.md).
        throw ALLOWED_METHODS.containsKey(shape(p))
                ? new ApiException(405, "method_not_allowed", method + " is not supported here")
                : ApiException.notFound("no such API resource");
    }

    /**
     * The methods each known path answers, by its shape ({@link #shape}): the {@code Allow}
     * header of a 405. A new route is added here too.
     */
    private static final Map<String, String> ALLOWED_METHODS = Map.ofEntries(
            Map.entry("topics/3/messages", "POST"), Map.entry("users/3/messages", "POST"),
            Map.entry("channels/3/messages", "POST"), Map.entry("broadcast/1", "POST"),
            Map.entry("channels/1", "GET"), Map.entry("users/3/sessions", "GET"), Map.entry("users/3/inbox", "GET"),
            Map.entry("channels/3/inbox", "GET"), Map.entry("topics/3/presence", "GET"), Map.entry("topics/1", "GET"), Map.entry("stats/1", "GET"),
            Map.entry("channels/2", "DELETE"));

    /** A path's shape: first segment, segment count, and the third segment if there are three. */
    private static String shape(String[] p) {
        return p.length == 0 ? "" : p[0] + "/" + p.length + (p.length == 3 ? "/" + p[2] : "");
    }

    private Map<String, Object> publish(String topic, JsonObject body) throws ApiException {
        PublishReceipt receipt = pusher.toTopic(topic, data(body));
        return Map.of("id", receipt.id(), "offset", receipt.offset(), "epoch", receipt.epoch());
    }

    private Map<String, Object> pushToUser(String user, JsonObject body) throws ApiException {
        PushReceipt receipt = pusher.toUser(user, optionalString(body, "destination"), data(body), ack(body));
        return Map.of("id", receipt.id(), "sessions", receipt.sessions());
    }

    private Map<String, Object> pushToChannel(String channelId, JsonObject body) throws ApiException {
        Optional<PushReceipt> receipt = pusher.toChannel(channelId, data(body), ack(body));
        if (receipt.isEmpty()) {
            throw ApiException.notFound("no open session on channel " + channelId);
        }
        return Map.of("id", receipt.get().id(), "channelId", channelId);
    }

    /** Every live node's figures, and their sums. */
    private Map<String, Object> stats() {
        List<Map<String, Object>> nodes = new ArrayList<>();
        Map<String, Long> total = new LinkedHashMap<>();
        for (NodeReport report : broker.nodes()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("node", report.nodeId());
            node.putAll(report.figures());
            nodes.add(node);
            report.figures().forEach((name, value) -> total.merge(name, value, Long::sum));
        }
        return Map.of("total", total, "nodes", nodes);
    }

    private Map<String, Object> describeInbox(String key, String name, List<InboxEntry> pending,
            List<InboxEntry> deadLetters) {
        return Map.of(key, name, "pending", pending.stream().map(this::describeInboxEntry).toList(),
                "deadLetters", deadLetters.stream().map(this::describeInboxEntry).toList());
    }

    private Map<String, Object> describeInboxEntry(InboxEntry entry) {
        Map<String, Object> description = new LinkedHashMap<>();
        Delivery delivery = entry.delivery();
        description.put("id", delivery.id());
        description.put(delivery.target() == Delivery.Target.CHANNEL ? "channel" : "user", delivery.address());
        if (delivery.destination() != null) {
            description.put("destination", delivery.destination());
        }
        description.put("data", jsonb.fromJson(delivery.dataJson(), JsonValue.class));
        description.put("attempts", entry.attempts());
        description.put("since", entry.since().toString());
        if (entry.deadReason() != null) {
            description.put("reason", entry.deadReason());
        }
        return description;
    }

    private static Map<String, Object> describeTopics(TopicCounts counts) {
        List<Map<String, Object>> topics = new ArrayList<>(counts.usersByTopic().size());
        counts.usersByTopic().forEach((topic, users) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("topic", topic);
            entry.put("users", users);
            topics.add(entry);
        });
        return Map.of("topics", topics, "truncated", counts.truncated());
    }

    private Map<String, Object> describeChannel(ChannelHolder holder) {
        Map<String, Object> channel = new LinkedHashMap<>();
        channel.put("channelId", holder.channelId());
        channel.put("user", holder.user());
        channel.put("node", holder.nodeId());
        channel.put("since", holder.since().toString());
        return channel;
    }

    private Map<String, Object> describeSession(SessionRecord session) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("sessionId", session.sessionId());
        if (session.channelId() != null) {
            description.put("channelId", session.channelId());
        }
        description.put("protocol", session.protocol());
        description.put("node", session.nodeId());
        description.put("since", session.since().toString());
        return description;
    }

    private JsonObject body(HttpServletRequest request) throws IOException, ApiException {
        return new JsonBodyReader(jsonb, MAX_BODY_BYTES).read(request);
    }

    /** The body's {@code data}, or null without one: the {@link Pusher} refuses a missing or null one. */
    private static JsonValue data(JsonObject body) {
        return body.get("data");
    }

    private static boolean ack(JsonObject body) throws ApiException {
        JsonValue ack = body.get("ack");
        if (ack == null || ack == JsonValue.FALSE || ack == JsonValue.NULL) {
            return false;
        }
        if (ack == JsonValue.TRUE) {
            return true;
        }
        throw ApiException.badRequest("field 'ack' must be a boolean");
    }

    private static String optionalString(JsonObject body, String field) throws ApiException {
        JsonValue value = body.get(field);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonString string) {
            return string.getString();
        }
        throw ApiException.badRequest("field '" + field + "' must be a string");
    }

    private static String topic(String name) throws ApiException {
        if (!TopicNames.isValid(name)) {
            throw ApiException.badRequest("topic must match " + TopicNames.RULE);
        }
        return name;
    }

    private static String[] segments(String pathInfo) {
        if (pathInfo == null || pathInfo.equals("/")) {
            return new String[0];
        }
        return pathInfo.substring(1).split("/", -1);
    }
}
