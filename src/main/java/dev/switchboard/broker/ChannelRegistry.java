package dev.switchboard.broker;

import java.util.List;
import java.util.Optional;

/**
 * At most one open session per channel. A channel is first reserved during the handshake (so a
 * refusal can still be an HTTP status), then bound to the session once it is open, and released
 * when that session ends.
 *
 * <p>Thread safety: every method is atomic per channel; under any race of N claims for one channel
 * exactly one reservation is current afterwards.
 */
public interface ChannelRegistry {

    /** Reserves {@code channelId} for {@code user}, applying {@code policy} if it is taken. */
    ChannelClaim claim(String channelId, String user, ChannelPolicy policy);

    /**
     * Binds an open session to its reservation. Returns false if the reservation is no longer
     * current: another claim replaced it, or took the channel over after it expired (an expired
     * reservation that nobody took over still binds). The caller must then close the session with
     * {@link CloseCode#REPLACED}.
     */
    boolean bind(ChannelReservation reservation, Subscriber session);

    /** Gives up a reservation whose session never opened; no effect if it is no longer current. */
    void cancel(ChannelReservation reservation);

    /** Frees the channel if {@code session} still holds it; no effect otherwise. */
    void release(String channelId, Subscriber session);

    /** The open session holding {@code channelId}, if any. */
    Optional<Subscriber> holder(String channelId);

    /** Snapshot of every open (bound) session that holds a channel. */
    List<Subscriber> openChannels();
}
