package dev.switchboard.broker;

import java.time.Instant;

/**
 * A channel held for a handshake that has been accepted but whose session is not open yet. It is
 * current while the registry holds a reservation with the same {@code token} (a random value,
 * unique per claim, compared by equality), whichever node or process looks.
 */
public record ChannelReservation(String channelId, String user, String nodeId, String token, Instant reservedAt) {

    @Override
    public String toString() {
        return "ChannelReservation[" + channelId + " for " + user + " on " + nodeId + " at " + reservedAt + "]";
    }
}
