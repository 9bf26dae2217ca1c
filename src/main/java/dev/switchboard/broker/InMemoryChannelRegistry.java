package dev.switchboard.broker;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ChannelRegistry} for one node. Each channel maps to one {@link Holding}; every change goes
 * through {@link ConcurrentHashMap#compute}, which makes claim, bind and release atomic per channel.
 *
 * <p>A reservation that is never bound (a client that vanished mid-handshake on a container that
 * gave us no signal) stops counting after {@code reservationTimeout}.
 */
public final class InMemoryChannelRegistry implements ChannelRegistry {

    /** The current owner of a channel: a reservation, plus the session once it is open. */
    private record Holding(ChannelReservation reservation, Subscriber session) {
    }

    private final ConcurrentHashMap<String, Holding> holdings = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration reservationTimeout;

    public InMemoryChannelRegistry(Clock clock, Duration reservationTimeout) {
        this.clock = clock;
        this.reservationTimeout = reservationTimeout;
    }

    @Override
    public ChannelClaim claim(String channelId, String user, ChannelPolicy policy) {
        ChannelReservation reservation = new ChannelReservation(channelId, user, clock.instant());
        Subscriber[] displaced = new Subscriber[1];
        Holding result = holdings.compute(channelId, (id, current) -> {
            if (current == null || isAbandoned(current) || policy == ChannelPolicy.REPLACE) {
                displaced[0] = current == null ? null : current.session();
                return new Holding(reservation, null);
            }
            return current;
        });
        if (result.reservation() != reservation) {
            return new ChannelClaim.Refused(channelId);
        }
        if (displaced[0] != null) {
            displaced[0].disconnect(CloseCode.REPLACED);
        }
        return new ChannelClaim.Granted(reservation, displaced[0]);
    }

    private boolean isAbandoned(Holding holding) {
        return holding.session() == null
                && holding.reservation().reservedAt().plus(reservationTimeout).isBefore(clock.instant());
    }

    @Override
    public boolean bind(ChannelReservation reservation, Subscriber session) {
        boolean[] bound = new boolean[1];
        holdings.computeIfPresent(reservation.channelId(), (id, current) -> {
            if (current.reservation() == reservation && current.session() == null) {
                bound[0] = true;
                return new Holding(reservation, session);
            }
            return current;
        });
        return bound[0];
    }

    @Override
    public void cancel(ChannelReservation reservation) {
        holdings.computeIfPresent(reservation.channelId(),
                (id, current) -> current.reservation() == reservation && current.session() == null ? null : current);
    }

    @Override
    public void release(String channelId, Subscriber session) {
        holdings.computeIfPresent(channelId, (id, current) -> current.session() == session ? null : current);
    }

    @Override
    public Optional<Subscriber> holder(String channelId) {
        Holding holding = holdings.get(channelId);
        return holding == null ? Optional.empty() : Optional.ofNullable(holding.session());
    }

    @Override
    public List<Subscriber> openChannels() {
        List<Subscriber> open = new ArrayList<>();
        for (Holding holding : holdings.values()) {
            if (holding.session() != null) {
                open.add(holding.session());
            }
        }
        return List.copyOf(open);
    }
}
