package dev.switchboard.cluster;

import dev.switchboard.broker.Delivery;

/**
 * The pub/sub message that announces an appended topic message to the nodes following its topic
 * ({@link RedisKeys#topicChannel}): the offset and epoch the log gave it, then the message as
 * {@link DeliveryCodec} encodes it (without offset and epoch), one per line:
 * {@code <offset>\n<epoch>\n<encoded delivery>}. Published by the append script, so that the
 * script need not rewrite the encoded delivery to put its position in.
 */
final class TopicAnnouncement {

    private TopicAnnouncement() {
    }

    /** The announced delivery, at its position. */
    static Delivery decode(DeliveryCodec codec, String message) {
        int first = message.indexOf('\n');
        int second = first < 0 ? -1 : message.indexOf('\n', first + 1);
        if (second < 0) {
            throw new IllegalArgumentException("not a topic announcement");
        }
        long offset;
        try {
            offset = Long.parseLong(message, 0, first, 10);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a topic announcement: bad offset", e);
        }
        String epoch = message.substring(first + 1, second);
        return codec.decode(message.substring(second + 1)).at(offset, epoch);
    }

    /** The announcement of {@code encoded} at {@code offset} in {@code epoch} (what the script builds). */
    static String encode(long offset, String epoch, String encoded) {
        return offset + "\n" + epoch + "\n" + encoded;
    }
}
