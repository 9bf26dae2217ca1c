package dev.switchboard.broker;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ChannelRegistry} for one node. Each channel maps to its current {@link ChannelHolder} plus
 * the reservation's token; every change goes through {@link ConcurrentHashMap#compute}, which makes
 * claim, bind and release atomic per channel.
 *
 * <p>A reservation that is never bound (a client that vanished mid-handshake on a container that
 * gave us no signal) stops counting after {@code reservationTimeout}.
 */
public final class InMemoryChannelRegistry implements ChannelRegistry {

    /** The current owner of a channel: its reservation's token and who holds it. */
    private record Holding(String token, ChannelHolder holder) {
        boolean bound() {
            return holder.sessionId() != null;
        }
    }

    private final ConcurrentHashMap<String, Holding> holdings = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration reservationTimeout;
    private final SecureRandom random = new SecureRandom();

    public InMemoryChannelRegistry(Clock clock, Duration reservationTimeout) {
        this.clock = clock;
        this.reservationTimeout = reservationTimeout;
    }

    @Override
    public ChannelClaim claim(String channelId, String user, String nodeId, ChannelPolicy policy) {
        byte[] tokenBytes = new byte[12];
        random.nextBytes(tokenBytes);
        ChannelReservation reservation = new ChannelReservation(channelId, user, nodeId,
                HexFormat.of().formatHex(tokenBytes), clock.instant());
        ChannelHolder[] displaced = new ChannelHolder[1];
        Holding result = holdings.compute(channelId, (id, current) -> {
            if (current == null || isAbandoned(current) || policy == ChannelPolicy.REPLACE) {
                displaced[0] = current == null ? null : current.holder();
                return new Holding(reservation.token(),
                        new ChannelHolder(channelId, user, nodeId, null, reservation.reservedAt()));
            }
            return current;
        });
        if (!result.token().equals(reservation.token())) {
            return new ChannelClaim.Refused(channelId);
        }
        return new ChannelClaim.Granted(reservation, displaced[0]);
    }

    private boolean isAbandoned(Holding holding) {
        return !holding.bound() && holding.holder().since().plus(reservationTimeout).isBefore(clock.instant());
    }

    @Override
    public boolean bind(ChannelReservation reservation, String sessionId) {
        boolean[] bound = new boolean[1];
        holdings.computeIfPresent(reservation.channelId(), (id, current) -> {
            if (current.token().equals(reservation.token()) && !current.bound()) {
                bound[0] = true;
                ChannelHolder reserved = current.holder();
                return new Holding(current.token(), new ChannelHolder(reserved.channelId(), reserved.user(),
                        reserved.nodeId(), sessionId, clock.instant()));
            }
            return current;
        });
        return bound[0];
    }

    @Override
    public void cancel(ChannelReservation reservation) {
        holdings.computeIfPresent(reservation.channelId(),
                (id, current) -> current.token().equals(reservation.token()) && !current.bound() ? null : current);
    }

    @Override
    public void release(String channelId, String sessionId) {
        holdings.computeIfPresent(channelId,
                (id, current) -> sessionId.equals(current.holder().sessionId()) ? null : current);
    }

    /** This registry loses nothing; the check still answers whether {@code holder} holds its channel. */
    @Override
    public boolean reassert(ChannelHolder holder) {
        Holding holding = holdings.get(holder.channelId());
        return holding != null && holder.sessionId().equals(holding.holder().sessionId());
    }

    @Override
    public Optional<ChannelHolder> holder(String channelId) {
        Holding holding = holdings.get(channelId);
        return holding == null || !holding.bound() ? Optional.empty() : Optional.of(holding.holder());
    }

    @Override
    public List<ChannelHolder> openChannels() {
        List<ChannelHolder> open = new ArrayList<>();
        for (Holding holding : holdings.values()) {
            if (holding.bound()) {
                open.add(holding.holder());
            }
        }
        return List.copyOf(open);
    }
}
