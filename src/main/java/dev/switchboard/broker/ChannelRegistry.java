package dev.switchboard.broker;

import java.util.List;
import java.util.Optional;

/**
 * At most one open session per channel in the whole deployment (docs/protocol.md, Native endpoint). A channel
 * is first reserved during the handshake (so a refusal can still be an HTTP status), then bound
 * to the session once it is open, and released when that session ends.
 *
 * <p>Everything across this interface is ids and records, never live sessions: a holder may be on
 * another node. A reservation is current while the registry holds a reservation with the same
 * {@link ChannelReservation#token() token}; tokens are compared by equality.
 *
 * <p>The registry only records; closing a displaced session is the caller's (the broker's, which
 * knows whether the holder is on this node).
 *
 * <p>Thread safety: every method is atomic per channel; under any race of N claims for one channel,
 * on any nodes, exactly one reservation is current afterwards.
 */
public interface ChannelRegistry {

    /**
     * Reserves {@code channelId} for {@code user} on node {@code nodeId}, applying {@code policy}
     * if it is taken. A holder whose reservation was never bound within the registry's time limit,
     * or whose node is gone, does not count.
     *
     * @throws ClusterUnavailableException if a shared registry cannot be reached
     */
    ChannelClaim claim(String channelId, String user, String nodeId, ChannelPolicy policy);

    /**
     * Binds an open session to its reservation. Returns false if the reservation is no longer
     * current: another claim replaced it, or took the channel over after it expired (an expired
     * reservation that nobody took over still binds). The caller must then close the session with
     * {@link CloseCode#REPLACED}.
     */
    boolean bind(ChannelReservation reservation, String sessionId);

    /** Gives up a reservation whose session never opened; no effect if it is no longer current. */
    void cancel(ChannelReservation reservation);

    /** Frees the channel if session {@code sessionId} still holds it; no effect otherwise. */
    void release(String channelId, String sessionId);

    /**
     * Records again that {@code holder} (a bound session of this node) holds its channel, for a
     * registry that may have lost it (Redis restarted without its data): true if the registry now
     * says so, false if another live claim holds the channel, and then the caller must close its
     * session with {@link CloseCode#REPLACED}, so that one session per channel still holds.
     *
     * @throws ClusterUnavailableException if a shared registry cannot be reached, or this node may
     *         not hold channels now (its lease is not held)
     */
    boolean reassert(ChannelHolder holder);

    /** The open (bound) session holding {@code channelId}, if any. */
    Optional<ChannelHolder> holder(String channelId);

    /** Snapshot of every open (bound) channel. */
    List<ChannelHolder> openChannels();
}
