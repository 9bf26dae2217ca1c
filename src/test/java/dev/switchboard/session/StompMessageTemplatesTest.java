package dev.switchboard.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.broker.Delivery;
import dev.switchboard.broker.TestDeliveries;
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

            assertThat(templates.frame(delivery, StompVersion.V1_2, subscription).text())
                    .isEqualTo(StompMessageForOneRecipient.encode(delivery, subscription, StompVersion.V1_2));
        }
    }

    @Test
    void recipientsWithTheSameSubscriptionIdShareOneString() {
        TextFrame first = templates.frame(delivery, StompVersion.V1_2, subscription("sub-0", "/topic/calls", StompVersion.V1_2));
        TextFrame second = templates.frame(delivery, StompVersion.V1_2, subscription("sub-0", "/topic/calls", StompVersion.V1_2));

        assertThat(second).isSameAs(first);
    }

    @Test
    void anotherDestinationOrVersionIsEncodedForItself() {
        StompSubscription topic = subscription("0", "/topic/calls", StompVersion.V1_2);
        StompSubscription queue = subscription("0", "/queue/calls", StompVersion.V1_2);
        StompSubscription v10 = subscription("0", "/topic/calls", StompVersion.V1_0);

        assertThat(templates.frame(delivery, StompVersion.V1_2, topic).text())
                .isEqualTo(StompMessageForOneRecipient.encode(delivery, topic, StompVersion.V1_2));
        assertThat(templates.frame(delivery, StompVersion.V1_2, queue).text())
                .isEqualTo(StompMessageForOneRecipient.encode(delivery, queue, StompVersion.V1_2));
        assertThat(templates.frame(delivery, StompVersion.V1_0, v10).text())
                .isEqualTo(StompMessageForOneRecipient.encode(delivery, v10, StompVersion.V1_0));
    }

    @Test
    void eachFrameCarriesItsUtf8Length() {
        Delivery accented = TestDeliveries.toTopic("m-8", "calls", 43, "e1", "{\"caller\":\"Zoë Ünal 📞\"}", Instant.EPOCH);
        StompSubscription subscription = subscription("sub-ü", "/topic/calls", StompVersion.V1_2);

        TextFrame frame = templates.frame(accented, StompVersion.V1_2, subscription);

        assertThat(frame.utf8Length()).isEqualTo(frame.text().getBytes(StandardCharsets.UTF_8).length);
    }

    private static StompSubscription subscription(String id, String destination, StompVersion version) {
        return new StompSubscription(id, destination, "calls", null, StompSubscription.AckMode.AUTO, version);
    }
}
