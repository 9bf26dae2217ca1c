package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import java.io.StringReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class NativeFrameCodecTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    private final NativeFrameCodec codec = new NativeFrameCodec(JSONB);

    @AfterAll
    static void closeJsonb() throws Exception {
        JSONB.close();
    }

    // --- decoding client frames ---

    @Test
    void decodesSubscribeWithoutSince() {
        assertThat(frame("{\"type\":\"subscribe\",\"topic\":\"news\"}"))
                .isEqualTo(new ClientFrame.Subscribe("news", null));
    }

    @Test
    void decodesSubscribeWithSince() {
        assertThat(frame("{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"offset\":42,\"epoch\":\"e7\"}}"))
                .isEqualTo(new ClientFrame.Subscribe("news", new ClientFrame.Since(42L, "e7")));
    }

    @Test
    void decodesAFrameWhoseTypeIsNotTheFirstField() {
        assertThat(frame("{\"topic\":\"news\",\"type\":\"subscribe\"}"))
                .isEqualTo(new ClientFrame.Subscribe("news", null));
    }

    @Test
    void decodesUnsubscribe() {
        assertThat(frame("{\"type\":\"unsubscribe\",\"topic\":\"news\"}"))
                .isEqualTo(new ClientFrame.Unsubscribe("news"));
    }

    @Test
    void decodesPublishWithObjectData() {
        ClientFrame.Publish publish = (ClientFrame.Publish) frame(
                "{\"type\":\"publish\",\"topic\":\"news\",\"data\":{\"headline\":\"hi\",\"tags\":[1,2]}}");

        assertThat(publish.topic()).isEqualTo("news");
        assertThat(publish.data()).isEqualTo(json("{\"headline\":\"hi\",\"tags\":[1,2]}"));
    }

    @Test
    void decodesPublishWithStringData() {
        ClientFrame.Publish publish = (ClientFrame.Publish) frame("{\"type\":\"publish\",\"topic\":\"news\",\"data\":\"hi\"}");

        assertThat(publish.data()).isEqualTo(Json.createValue("hi"));
        assertThat(codec.toJson(publish.data())).isEqualTo("\"hi\"");
    }

    @Test
    void decodesPublishWithNumberData() {
        ClientFrame.Publish publish = (ClientFrame.Publish) frame("{\"type\":\"publish\",\"topic\":\"news\",\"data\":42}");

        assertThat(codec.toJson(publish.data())).isEqualTo("42");
    }

    @Test
    void decodesPublishWithArrayAndBooleanData() {
        ClientFrame.Publish array = (ClientFrame.Publish) frame("{\"type\":\"publish\",\"topic\":\"n\",\"data\":[1,\"a\"]}");
        ClientFrame.Publish bool = (ClientFrame.Publish) frame("{\"type\":\"publish\",\"topic\":\"n\",\"data\":true}");

        assertThat(codec.toJson(array.data())).isEqualTo("[1,\"a\"]");
        assertThat(bool.data()).isEqualTo(JsonValue.TRUE);
    }

    @Test
    void publishWithNullOrMissingDataCarriesJsonNull() {
        ClientFrame.Publish explicit = (ClientFrame.Publish) frame("{\"type\":\"publish\",\"topic\":\"n\",\"data\":null}");
        ClientFrame.Publish missing = (ClientFrame.Publish) frame("{\"type\":\"publish\",\"topic\":\"n\"}");

        assertThat(codec.toJson(explicit.data())).isEqualTo("null");
        assertThat(codec.toJson(missing.data())).isEqualTo("null");
    }

    @Test
    void decodesSend() {
        ClientFrame.Send send = (ClientFrame.Send) frame("{\"type\":\"send\",\"to\":\"echo\",\"data\":\"hello\"}");

        assertThat(send.to()).isEqualTo("echo");
        assertThat(send.data()).isEqualTo(Json.createValue("hello"));
    }

    @Test
    void decodesAck() {
        assertThat(frame("{\"type\":\"ack\",\"id\":\"m-17\"}")).isEqualTo(new ClientFrame.Ack("m-17"));
    }

    @Test
    void decodesPing() {
        assertThat(frame("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping());
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertThat(frame("{\"type\":\"ping\",\"nonce\":7}")).isEqualTo(new ClientFrame.Ping());
    }

    @Test
    void textThatIsNotJsonIsMalformedJson() {
        assertMalformed("not json", "malformed JSON", null);
        assertMalformed("{\"type\":\"ping\"", "malformed JSON", null);
        assertMalformed("", "malformed JSON", null);
    }

    @Test
    void textWithTrailingGarbageAfterTheFrameIsMalformedJson() {
        assertMalformed("{\"type\":\"subscribe\",\"topic\":\"news\"} {\"type\":\"ping\"}",
                "malformed JSON", null);
    }

    @Test
    void dataNested500LevelsDeepIsAccepted() {
        ClientFrame.Publish publish = (ClientFrame.Publish) frame(publishNested(500));

        assertThat(codec.toJson(publish.data())).isEqualTo("[".repeat(500) + "]".repeat(500));
    }

    @Test
    void dataNestedAThousandLevelsDeepIsRefusedAsTooDeepInsteadOfThrowing() {
        // Parsson's own limit (1,000) threw a bare RuntimeException here: the session closed with 1002.
        assertMalformed(publishNested(1_000), "JSON nested deeper than 512 levels", null);
    }

    @Test
    void dataNestedAHundredThousandLevelsDeepIsRefusedAsTooDeep() {
        assertMalformed(publishNested(100_000), "JSON nested deeper than 512 levels", null);
        assertMalformed("{\"type\":\"send\",\"to\":\"echo\",\"data\":" + "{\"a\":".repeat(100_000) + "1"
                + "}".repeat(100_000) + "}", "JSON nested deeper than 512 levels", null);
    }

    @Test
    void theFrameObjectCountsAsTheFirstLevelOfTheLimit() {
        frame(publishNested(511)); // 511 arrays in the frame object: 512 levels
        assertMalformed(publishNested(512), "JSON nested deeper than 512 levels", null);
    }

    @Test
    void bracketsInsideStringsDoNotCountTowardsTheNestingLimit() {
        ClientFrame.Publish publish = (ClientFrame.Publish) frame(
                "{\"type\":\"publish\",\"topic\":\"t\",\"data\":\"" + "[{".repeat(1_000) + "\\\"\"}");

        assertThat(publish.data()).isEqualTo(Json.createValue("[{".repeat(1_000) + "\""));
    }

    @Test
    void jsonThatIsNotAnObjectIsRefused() {
        assertMalformed("[{\"type\":\"ping\"}]", "frame must be a JSON object", null);
        assertMalformed("\"ping\"", "frame must be a JSON object", null);
        assertMalformed("42", "frame must be a JSON object", null);
        assertMalformed("null", "frame must be a JSON object", null);
    }

    @Test
    void objectWithoutStringTypeIsRefused() {
        assertMalformed("{\"topic\":\"news\"}", "frame has no string field 'type'", null);
        assertMalformed("{\"type\":5}", "frame has no string field 'type'", null);
        assertMalformed("{\"type\":null}", "frame has no string field 'type'", null);
    }

    @Test
    void unknownTypeIsRefusedWithItsTypeAndTopicAsRef() {
        assertMalformed("{\"type\":\"shout\",\"topic\":\"news\"}", "unknown frame type",
                new ServerFrame.Ref("shout", "news"));
        assertMalformed("{\"type\":\"Subscribe\"}", "unknown frame type", new ServerFrame.Ref("Subscribe", null));
    }

    @Test
    void fieldOfTheWrongTypeIsRefusedWithTheFrameTypeAsRef() {
        assertMalformed("{\"type\":\"subscribe\",\"topic\":{\"name\":\"news\"}}",
                "malformed 'subscribe' frame: field 'topic' has the wrong type",
                new ServerFrame.Ref("subscribe", null));
        assertMalformed("{\"type\":\"unsubscribe\",\"topic\":[\"news\"]}",
                "malformed 'unsubscribe' frame: field 'topic' has the wrong type",
                new ServerFrame.Ref("unsubscribe", null));
    }

    @Test
    void numericTopicIsAFieldOfTheWrongTypeNotConvertedToText() {
        assertMalformed("{\"type\":\"subscribe\",\"topic\":5}",
                "malformed 'subscribe' frame: field 'topic' has the wrong type",
                new ServerFrame.Ref("subscribe", null));
    }

    @Test
    void booleanTopicIsAFieldOfTheWrongType() {
        assertMalformed("{\"type\":\"unsubscribe\",\"topic\":true}",
                "malformed 'unsubscribe' frame: field 'topic' has the wrong type",
                new ServerFrame.Ref("unsubscribe", null));
    }

    @Test
    void numericAckIdIsAFieldOfTheWrongType() {
        assertMalformed("{\"type\":\"ack\",\"id\":17}",
                "malformed 'ack' frame: field 'id' has the wrong type", new ServerFrame.Ref("ack", null));
    }

    @Test
    void malformedSinceIsRefusedWithTheTopicInTheRef() {
        assertMalformed("{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":\"yesterday\"}",
                "malformed 'subscribe' frame: field 'since' has the wrong type",
                new ServerFrame.Ref("subscribe", "news"));
        assertMalformed("{\"type\":\"subscribe\",\"topic\":\"news\",\"since\":{\"offset\":\"abc\",\"epoch\":\"e\"}}",
                "malformed 'subscribe' frame: field 'since' has the wrong type",
                new ServerFrame.Ref("subscribe", "news"));
    }

    // --- encoding server frames ---

    @Test
    void encodesWelcome() {
        assertJson(codec.encode(new ServerFrame.Welcome("sess-1", "agent-42", "alice", 25_000)),
                "{\"type\":\"welcome\",\"sessionId\":\"sess-1\",\"channelId\":\"agent-42\",\"user\":\"alice\","
                        + "\"heartbeatMs\":25000}");
    }

    @Test
    void encodesWelcomeWithoutChannelLeavingItOut() {
        assertJson(codec.encode(new ServerFrame.Welcome("sess-1", null, "alice", 25_000)),
                "{\"type\":\"welcome\",\"sessionId\":\"sess-1\",\"user\":\"alice\",\"heartbeatMs\":25000}");
    }

    @Test
    void encodesSubscribed() {
        assertJson(codec.encode(new ServerFrame.Subscribed("news", 7, "e1", true)),
                "{\"type\":\"subscribed\",\"topic\":\"news\",\"offset\":7,\"epoch\":\"e1\",\"recovered\":true}");
        assertJson(codec.encode(new ServerFrame.Subscribed("news", 0, "e1", false)),
                "{\"type\":\"subscribed\",\"topic\":\"news\",\"offset\":0,\"epoch\":\"e1\",\"recovered\":false}");
    }

    @Test
    void encodesErrorWithRef() {
        assertJson(codec.encode(new ServerFrame.Error("forbidden", "publishing needs the publisher role",
                        new ServerFrame.Ref("publish", "news"))),
                "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"publishing needs the publisher role\","
                        + "\"ref\":{\"type\":\"publish\",\"topic\":\"news\"}}");
    }

    @Test
    void encodesErrorLeavingOutWhatIsUnknown() {
        assertJson(codec.encode(new ServerFrame.Error("bad_request", "malformed JSON", null)),
                "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"malformed JSON\"}");
        assertJson(codec.encode(new ServerFrame.Error("bad_request", "unknown frame type",
                        new ServerFrame.Ref("shout", null))),
                "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"unknown frame type\","
                        + "\"ref\":{\"type\":\"shout\"}}");
    }

    @Test
    void encodesPong() {
        assertJson(codec.encode(new ServerFrame.Pong()), "{\"type\":\"pong\"}");
    }

    @Test
    void encodedStringsAreEscaped() {
        assertJson(codec.encode(new ServerFrame.Error("bad_request", "say \"hi\"\n\\", null)),
                "{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\"say \\\"hi\\\"\\n\\\\\"}");
    }

    // --- the client side: server frames in, client frames out ---

    @Test
    void decodesAServerMessageFrame() {
        ServerFrame frame = codec.decodeServerFrame("{\"type\":\"message\",\"id\":\"m-1\",\"topic\":\"news\","
                + "\"offset\":3,\"epoch\":\"e1\",\"data\":\"hi\",\"ts\":5}");

        assertThat(frame).isEqualTo(new ServerFrame.Message("m-1", "news", null, null, null, null, 3L, "e1",
                Json.createValue("hi"), 5, null, null, null));
    }

    @Test
    void serverFramesSurviveARoundTrip() {
        ServerFrame[] frames = {
            new ServerFrame.Welcome("sess-1", "agent-42", "alice", 25_000),
            new ServerFrame.Subscribed("news", 7, "e1", true),
            new ServerFrame.Error("forbidden", "no", new ServerFrame.Ref("publish", "news")),
            new ServerFrame.Pong(),
        };
        for (ServerFrame frame : frames) {
            assertThat(codec.decodeServerFrame(codec.encode(frame))).isEqualTo(frame);
        }
    }

    @Test
    void textThatIsNotAServerFrameIsRejectedByTheClientDecoder() {
        assertThatThrownBy(() -> codec.decodeServerFrame("{\"type\":\"shout\"}")).isInstanceOf(JsonbException.class);
        assertThatThrownBy(() -> codec.decodeServerFrame("{\"id\":\"m-1\"}")).isInstanceOf(JsonbException.class);
    }

    @Test
    void encodesClientFramesThatDecodeBackToThemselves() {
        ClientFrame[] frames = {
            new ClientFrame.Subscribe("news", new ClientFrame.Since(3L, "e1")),
            new ClientFrame.Subscribe("news", null),
            new ClientFrame.Unsubscribe("news"),
            new ClientFrame.Publish("news", json("{\"a\":1}")),
            new ClientFrame.Send("echo", Json.createValue("hello")),
            new ClientFrame.Ack("m-1"),
            new ClientFrame.Ping(),
        };
        for (ClientFrame frame : frames) {
            assertThat(frame(codec.encode(frame))).isEqualTo(frame);
        }
        assertJson(codec.encode(new ClientFrame.Ping()), "{\"type\":\"ping\"}");
    }

    // --- helpers ---

    private ClientFrame frame(String text) {
        NativeFrameCodec.Decoded decoded = codec.decodeClientFrame(text);
        assertThat(decoded).as("decoding %s", text).isInstanceOf(NativeFrameCodec.Decoded.Frame.class);
        return ((NativeFrameCodec.Decoded.Frame) decoded).frame();
    }

    private static String publishNested(int depth) {
        return "{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private void assertMalformed(String text, String message, ServerFrame.Ref ref) {
        assertThat(codec.decodeClientFrame(text)).as("decoding %s", text)
                .isEqualTo(new NativeFrameCodec.Decoded.Malformed(message, ref));
    }

    private static JsonValue json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    /** Same fields with the same values, in any order; absent fields must be absent. */
    private static void assertJson(String actual, String expected) {
        JsonObject actualObject = json(actual).asJsonObject();
        assertThat(actualObject).as(actual).isEqualTo(json(expected).asJsonObject());
    }
}
