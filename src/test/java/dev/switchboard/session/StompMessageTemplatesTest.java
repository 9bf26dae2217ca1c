package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.TestDeliveries;
import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompHeaders;
import dev.switchboard.stomp.StompVersion;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StompMessageTemplatesTest {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final String BODY = "{\"call\":\"+49 30 1234\"}";

    private final StompMessageTemplates templates = new StompMessageTemplates(new StompPayloads(JSONB));
    private final Delivery delivery = TestDeliveries.toTopic("m-7", "calls", 42, "e1", BODY, Instant.EPOCH);

    @AfterAll
    static void closeJsonb() throws Exception {
        JSONB.close();
    }

    @Test
    void eachRecipientGetsTheFrameAsIfEncodedForItAlone() {
        for (String id : new String[] {"sub-0", "sub-1", "sub-0", "a:b"}) {
            StompSubscription subscription = subscription(id, "/topic/calls", StompVersion.V1_2);

            assertThat(templates.frame(delivery, StompVersion.V1_2, subscription))
                    .isEqualTo(encodedAlone(id, "/topic/calls", StompVersion.V1_2));
        }
    }

    @Test
    void recipientsWithTheSameSubscriptionIdShareOneString() {
        String first = templates.frame(delivery, StompVersion.V1_2, subscription("sub-0", "/topic/calls", StompVersion.V1_2));
        String second = templates.frame(delivery, StompVersion.V1_2, subscription("sub-0", "/topic/calls", StompVersion.V1_2));

        assertThat(second).isSameAs(first);
    }

    @Test
    void anotherDestinationOrVersionIsEncodedForItself() {
        String topic = templates.frame(delivery, StompVersion.V1_2, subscription("0", "/topic/calls", StompVersion.V1_2));
        String queue = templates.frame(delivery, StompVersion.V1_2, subscription("0", "/queue/calls", StompVersion.V1_2));
        String v10 = templates.frame(delivery, StompVersion.V1_0, subscription("0", "/topic/calls", StompVersion.V1_0));

        assertThat(topic).isEqualTo(encodedAlone("0", "/topic/calls", StompVersion.V1_2));
        assertThat(queue).isEqualTo(encodedAlone("0", "/queue/calls", StompVersion.V1_2));
        assertThat(v10).isEqualTo(encodedAlone("0", "/topic/calls", StompVersion.V1_0));
    }

    private static StompSubscription subscription(String id, String destination, StompVersion version) {
        return new StompSubscription(id, destination, "calls", null, StompSubscription.AckMode.AUTO, version);
    }

    /** The frame the plain encoder writes for one recipient, headers in the templates' order. */
    private static String encodedAlone(String id, String destination, StompVersion version) {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        StompHeaders headers = StompHeaders.builder()
                .add("subscription", id)
                .add("destination", destination)
                .add("message-id", "m-7")
                .add("content-type", StompPayloads.JSON)
                .add("offset", "42")
                .add("epoch", "e1")
                .build();
        return StompEncoder.encodeText(new StompFrame(StompCommand.MESSAGE, headers, body), version);
    }
}
