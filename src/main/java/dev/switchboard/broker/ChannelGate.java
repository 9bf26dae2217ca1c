package dev.switchboard.broker;

/**
 * The channel rule as a handshake sees it (docs/protocol.md, Native endpoint): reserve a channel, give a
 * reservation back, ask whether a channel is open. The {@link Broker} is the one implementation;
 * it also closes whoever a replace displaces, on any node.
 */
public interface ChannelGate {

    /** Reserves {@code channelId} for {@code user}, applying {@code policy} if it is taken. */
    ChannelClaim claimChannel(String channelId, String user, ChannelPolicy policy);

    /** Gives up a reservation whose session did not open. */
    void cancelChannel(ChannelReservation reservation);

    /** Whether a session holds {@code channelId} now, on any node. */
    boolean channelOpen(String channelId);
}
