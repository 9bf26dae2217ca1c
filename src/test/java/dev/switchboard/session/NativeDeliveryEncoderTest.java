package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.TestDeliveries;
import dev.switchboard.protocol.NativeFrameCodec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Broker deliveries as native {@code message} frames (moved here from NativeFrameCodecTest with the encoding). */
class NativeDeliveryEncoderTest {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final Instant TS = Instant.ofEpochMilli(1_700_000_000_123L);

    private final NativeDeliveryEncoder encoder = new NativeDeliveryEncoder(new NativeFrameCodec(JSONB));

    @AfterAll
    static void closeJsonb() throws Exception {
        JSONB.close();
    }

    @Test
    void encodesTopicDelivery() {
        Delivery delivery = TestDeliveries.toTopic("m-1", "news", 3, "e1", "{\"headline\":\"hi\"}", TS);

        assertJson(encoder.encode(delivery),
                "{\"type\":\"message\",\"id\":\"m-1\",\"topic\":\"news\",\"offset\":3,\"epoch\":\"e1\","
                        + "\"data\":{\"headline\":\"hi\"},\"ts\":1700000000123}");
    }

    @Test
    void encodesUserDeliveryWithDestinationAndAck() {
        Delivery delivery = TestDeliveries.toUser("m-2", "alice", "alerts", "\"ring\"", TS, true);

        assertJson(encoder.encode(delivery),
                "{\"type\":\"message\",\"id\":\"m-2\",\"user\":\"alice\",\"destination\":\"alerts\","
                        + "\"data\":\"ring\",\"ts\":1700000000123,\"ack\":true}");
    }

    @Test
    void encodesUserDeliveryWithoutDestinationOrAck() {
        Delivery delivery = TestDeliveries.toUser("m-3", "alice", null, "1", TS, false);

        assertJson(encoder.encode(delivery),
                "{\"type\":\"message\",\"id\":\"m-3\",\"user\":\"alice\",\"data\":1,\"ts\":1700000000123}");
    }

    @Test
    void encodesChannelDelivery() {
        Delivery delivery = TestDeliveries.toChannel("m-4", "agent-42", "[1,2]", TS, true);

        assertJson(encoder.encode(delivery),
                "{\"type\":\"message\",\"id\":\"m-4\",\"channel\":\"agent-42\",\"data\":[1,2],"
                        + "\"ts\":1700000000123,\"ack\":true}");
    }

    @Test
    void encodesBroadcastDelivery() {
        Delivery delivery = TestDeliveries.toEveryone("m-5", "{\"notice\":\"maintenance\"}", TS);

        assertJson(encoder.encode(delivery),
                "{\"type\":\"message\",\"id\":\"m-5\",\"broadcast\":true,\"data\":{\"notice\":\"maintenance\"},"
                        + "\"ts\":1700000000123}");
    }

    @Test
    void deliveryOfJsonNullKeepsTheDataField() {
        Delivery delivery = TestDeliveries.toEveryone("m-6", "null", TS);

        assertJson(encoder.encode(delivery),
                "{\"type\":\"message\",\"id\":\"m-6\",\"broadcast\":true,\"data\":null,\"ts\":1700000000123}");
    }

    @Test
    void deliveryIsEncodedOnceAndTheSameStringShared() {
        Delivery delivery = TestDeliveries.toTopic("m-1", "news", 3, "e1", "{\"headline\":\"hi\"}", TS);

        String first = encoder.encode(delivery);
        String second = encoder.encode(delivery);

        assertThat(second).isSameAs(first);
    }

    @Test
    void differentDeliveriesAreEncodedSeparately() {
        String first = encoder.encode(TestDeliveries.toTopic("m-1", "news", 1, "e1", "1", TS));
        String second = encoder.encode(TestDeliveries.toTopic("m-2", "news", 2, "e1", "2", TS));

        assertThat(json(first).asJsonObject().getInt("offset")).isEqualTo(1);
        assertThat(json(second).asJsonObject().getInt("offset")).isEqualTo(2);
    }

    private static void assertJson(String actual, String expected) {
        JsonObject actualObject = json(actual).asJsonObject();
        assertThat(actualObject).as(actual).isEqualTo(json(expected).asJsonObject());
    }

    private static JsonValue json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }
}
