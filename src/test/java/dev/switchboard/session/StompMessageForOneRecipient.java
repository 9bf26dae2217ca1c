package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompHeaders;
import dev.switchboard.stomp.StompVersion;
import java.nio.charset.StandardCharsets;

/**
 * A JSON topic delivery as a MESSAGE frame encoded by the plain encoder for one recipient alone,
 * headers in {@link StompMessageTemplates}' order: what the templates must produce (tests) and what
 * they save (the encode-once benchmark).
 */
final class StompMessageForOneRecipient {

    private StompMessageForOneRecipient() {
    }

    static String encode(Delivery delivery, StompSubscription subscription, StompVersion version) {
        StompHeaders headers = StompHeaders.builder()
                .add("subscription", subscription.id())
                .add("destination", subscription.destination())
                .add("message-id", delivery.id())
                .add("content-type", StompPayloads.JSON)
                .add("offset", Long.toString(delivery.offset()))
                .add("epoch", delivery.epoch())
                .build();
        byte[] body = delivery.dataJson().getBytes(StandardCharsets.UTF_8);
        return StompEncoder.encodeText(new StompFrame(StompCommand.MESSAGE, headers, body), version);
    }
}
