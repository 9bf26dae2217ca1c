package dev.switchboard.broker;

/** The registry's answer to a request for a channel. */
public sealed interface ChannelClaim {

    /**
     * The channel is reserved for the caller. {@code displaced} is the session that held it and
     * has been closed with {@link CloseCode#REPLACED} (replace policy), or null.
     */
    record Granted(ChannelReservation reservation, Subscriber displaced) implements ChannelClaim {
    }

    /** The channel is open or being opened by another session and the policy is reject. */
    record Refused(String channelId) implements ChannelClaim {
    }
}
