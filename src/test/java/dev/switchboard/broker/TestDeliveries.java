package dev.switchboard.broker;

import java.time.Instant;

/** Test-only access to {@link Delivery}'s package-private factories, for codec tests in other packages. */
public final class TestDeliveries {

    private TestDeliveries() {
    }

    public static Delivery toTopic(String id, String topic, long offset, String epoch, String dataJson, Instant ts) {
        return Delivery.toTopic(id, topic, offset, epoch, dataJson, ts);
    }

    public static Delivery toUser(String id, String user, String destination, String dataJson, Instant ts,
            boolean ack) {
        return Delivery.toUser(id, user, destination, dataJson, ts, ack);
    }

    public static Delivery toChannel(String id, String channelId, String dataJson, Instant ts, boolean ack) {
        return Delivery.toChannel(id, channelId, dataJson, ts, ack);
    }

    public static Delivery toEveryone(String id, String dataJson, Instant ts) {
        return Delivery.toEveryone(id, dataJson, ts);
    }
}
