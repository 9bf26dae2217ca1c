package dev.switchboard.session;

import dev.switchboard.broker.ChannelPolicy;
import dev.switchboard.stomp.StompLimits;
import java.time.Duration;

/**
 * STOMP-specific settings.
 *
 * @param codecLimits         frame size and header limits of the decoder
 * @param channelPolicy       the channel rule for sessions that name a channelId
 * @param maxDeliveryAttempts deliveries of one message in the client ack modes (first plus redeliveries)
 * @param ackTimeout          how long a client-mode message may stay unacknowledged before redelivery
 * @param minHeartbeat        the shortest heart-beat interval the server agrees to, either way
 * @param serverName          the {@code server} header of CONNECTED
 */
public record StompSettings(StompLimits codecLimits, ChannelPolicy channelPolicy, int maxDeliveryAttempts,
        Duration ackTimeout, Duration minHeartbeat, String serverName) {
}
