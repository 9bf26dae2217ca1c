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
 * (docs/architecture.md, Principles: the hot path). A frame differs between those recipients only in its
 * {@code subscription} header, so the rest (the other headers and the body) is encoded once per
 * STOMP version and destination and cached on the {@link Delivery}; each recipient's frame is the
 * command line, its subscription's header line (encoded once at SUBSCRIBE) and that shared rest.
 * Most clients name their first subscription alike (stompjs {@code sub-0}, Spring {@code 0}), so
 * the last whole frame is kept too: recipients with the same subscription id share one string
 * (no copy per recipient, and one string in every queue). Client-ack and binary deliveries are
 * encoded per recipient (an {@code ack} header each, or bytes).
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

    /**
     * {@code delivery} as a MESSAGE text frame for {@code subscription}, which must be in auto ack
     * mode, with its UTF-8 length.
     */
    TextFrame frame(Delivery delivery, StompVersion version, StompSubscription subscription) {
        SharedRest shared = delivery.encoded(perVersion.get(version));
        String destination = subscription.destination();
        String header = subscription.subscriptionHeader();
        Encoded latest = shared.latest;
        if (latest != null && latest.destination().equals(destination)) {
            if (latest.subscriptionHeader().equals(header)) {
                return latest.frame();
            }
            return shared.remember(destination, latest.rest(), header);
        }
        return shared.remember(destination, TextFrame.of(encodeRest(delivery, version, destination)), header);
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

    /** One recipient's frame: the rest shared by a destination, and the whole frame for one subscription header. */
    private record Encoded(String destination, TextFrame rest, String subscriptionHeader, TextFrame frame) {
    }

    /**
     * What one delivery's frames in one version share, for the destination and subscription header
     * last asked for: the subscribers of a topic nearly always name it the same way.
     */
    private static final class SharedRest {
        /** Replaced whole. */
        private volatile Encoded latest;

        TextFrame remember(String destination, TextFrame rest, String subscriptionHeader) {
            TextFrame frame = new TextFrame(COMMAND_LINE + subscriptionHeader + rest.text(),
                    COMMAND_LINE.length() + TextFrame.utf8Length(subscriptionHeader) + rest.utf8Length());
            latest = new Encoded(destination, rest, subscriptionHeader, frame);
            return frame;
        }
    }
}
