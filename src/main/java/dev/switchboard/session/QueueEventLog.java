package dev.switchboard.session;

import dev.switchboard.broker.BrokerStats;
import dev.switchboard.broker.CloseCode;
import dev.switchboard.broker.Subscriber;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Reports a session's outbound-queue trouble in stats and at INFO, naming session, user and
 * channel: a slow consumer is never closed silently (docs/architecture.md, Principles). Numbers are passed as strings:
 * the logger's message format would group them ("4,008") and nobody would find them.
 */
final class QueueEventLog implements OutboundQueue.Events {

    private static final Logger LOG = System.getLogger(QueueEventLog.class.getName());

    private final Subscriber session;
    private final BrokerStats stats;

    QueueEventLog(Subscriber session, BrokerStats stats) {
        this.session = session;
        this.stats = stats;
    }

    @Override
    public void overflowed(long queuedBytes, int queuedFrames) {
        stats.slowConsumerClosed();
        LOG.log(Level.INFO, "Slow consumer: closing session {0} (user {1}, channel {2}) with 4008, "
                + "{3} bytes in {4} frames queued", session.sessionId(), session.user(), session.channelId(),
                String.valueOf(queuedBytes), String.valueOf(queuedFrames));
    }

    @Override
    public void sendFailed(Throwable failure, CloseCode code) {
        if (code == CloseCode.SLOW_CONSUMER) {
            stats.slowConsumerClosed();
        }
        // A peer that vanished (reset, closed mid-send) is routine and may come at the handshake rate
        // (a flood of connections dropped right after their upgrade): DEBUG. A slow consumer is news.
        Level level = code == CloseCode.SLOW_CONSUMER ? Level.INFO : Level.DEBUG;
        LOG.log(level, "Send to session {0} (user {1}, channel {2}) failed: {3}; closing with {4}",
                session.sessionId(), session.user(), session.channelId(), failure.toString(), String.valueOf(code.code()));
    }

    @Override
    public void discarded(int count) {
        stats.dropped(count);
    }
}
