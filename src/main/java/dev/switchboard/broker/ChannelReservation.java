package dev.switchboard.broker;

import java.time.Instant;

/**
 * A channel held for a handshake that has been accepted but whose session is not open yet.
 * Identity matters: a reservation is current only while the registry still holds this very object.
 */
public final class ChannelReservation {
    private final String channelId;
    private final String user;
    private final Instant reservedAt;

    ChannelReservation(String channelId, String user, Instant reservedAt) {
        this.channelId = channelId;
        this.user = user;
        this.reservedAt = reservedAt;
    }

    public String channelId() { return channelId; }

    public String user() { return user; }

    public Instant reservedAt() { return reservedAt; }

    @Override
    public String toString() {
        return "ChannelReservation[" + channelId + " for " + user + " at " + reservedAt + "]";
    }
}
