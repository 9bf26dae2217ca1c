package dev.switchboard.session;

import dev.switchboard.broker.Delivery;
import dev.switchboard.stomp.StompCommand;
import dev.switchboard.stomp.StompEncoder;
import dev.switchboard.stomp.StompFrame;
import dev.switchboard.stomp.StompHeaders;
import dev.switchboard.stomp.StompVersion;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * MESSAGE frames encoded once per delivery for all its text subscribers in {@code auto} ack mode
 * (DESIGN.md, the hot path). A frame differs between those recipients only in its
 * {@code subscription} header, so the rest (the other headers and the body) is encoded once per
 * STOMP version and destination and cached on the {@link Delivery}; each recipient's frame is the
 * command line, its subscription's header line (encoded once at SUBSCRIBE) and that shared rest:
 * one string concatenation per recipient. Client-ack and binary deliveries are encoded per
 * recipient (an {@code ack} header each, or bytes).
 *
 * <p>Thread safe: deliveries are encoded from any thread; a race encodes twice, harmlessly.
 */
final class StompMessageTemplates {

    private static final String COMMAND_LINE = "MESSAGE\n";

    private final StompPayloads payloads;
    /** One encoder per version: {@link Delivery#encoded} caches by encoder identity. */
    private final Map<StompVersion, Function<Delivery, SharedRest>> perVersion = new EnumMap<>(StompVersion.class);

    StompMessageTemplates(StompPayloads payloads) {
        this.payloads = payloads;
        for (StompVersion version : StompVersion.values()) {
            perVersion.put(version, delivery -> new SharedRest());
        }
    }

    /** {@code delivery} as a MESSAGE text frame for {@code subscription}, which must be in auto ack mode. */
    String frame(Delivery delivery, StompVersion version, StompSubscription subscription) {
        SharedRest shared = delivery.encoded(perVersion.get(version));
        String rest = shared.forDestination(subscription.destination());
        if (rest == null) {
            rest = encodeRest(delivery, version, subscription.destination());
            shared.remember(subscription.destination(), rest);
        }
        return COMMAND_LINE + subscription.subscriptionHeader() + rest;
    }

    private String encodeRest(Delivery delivery, StompVersion version, String destination) {
        StompPayloads.StompBody body = payloads.bodyOf(delivery);
        StompHeaders.Builder headers = StompHeaders.builder()
                .add("destination", destination)
                .add("message-id", delivery.id())
                .add("content-type", body.contentType());
        if (delivery.target() == Delivery.Target.TOPIC) {
            headers.add("offset", Long.toString(delivery.offset())).add("epoch", delivery.epoch());
        }
        String whole = StompEncoder.encodeText(new StompFrame(StompCommand.MESSAGE, headers.build(), body.bytes()),
                version);
        return whole.substring(COMMAND_LINE.length());
    }

    /**
     * The shared rest of one delivery's frame in one version, for the destination last asked for:
     * the subscribers of a topic nearly always name it the same way.
     */
    private static final class SharedRest {
        /** {destination, rest}, replaced whole. */
        private volatile String[] latest;

        String forDestination(String destination) {
            String[] cached = latest;
            return cached != null && cached[0].equals(destination) ? cached[1] : null;
        }

        void remember(String destination, String rest) {
            latest = new String[] {destination, rest};
        }
    }
}
