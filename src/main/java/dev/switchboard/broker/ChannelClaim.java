package dev.switchboard.broker;

/** The registry's answer to a request for a channel. */
public sealed interface ChannelClaim {

    /**
     * The channel is reserved for the caller. {@code displaced} is the holder it took the channel
     * from (replace policy), which the caller must close with {@link CloseCode#REPLACED} if it had
     * opened; null if the channel was free.
     */
    record Granted(ChannelReservation reservation, ChannelHolder displaced) implements ChannelClaim {
    }

    /** The channel is open or being opened by another session and the policy is reject. */
    record Refused(String channelId) implements ChannelClaim {
    }
}
