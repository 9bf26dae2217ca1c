package dev.switchboard.client;

import java.util.HashMap;
import java.util.Map;

/**
 * The last topic position (epoch and offset) this client delivered to its listener, per
 * subscribed topic: what it resumes from after a reconnect ({@code subscribe} with {@code since})
 * and what it drops as already seen (docs/protocol.md, Delivery guarantees: offsets increase per topic within an
 * epoch).
 *
 * <p>Not thread safe: the client uses it on its event thread only.
 */
final class TopicPositions {

    /** A stream position: the epoch and the last offset delivered in it. */
    record Position(String epoch, long offset) {
    }

    private final Map<String, Position> positions = new HashMap<>();
    /** Topics whose last subscribe request asked to resume from this position. */
    private final Map<String, Position> resumeRequested = new HashMap<>();

    /**
     * The position to resume {@code topic} from in the subscribe request being sent now, or null
     * for a plain subscribe (nothing delivered yet). Remembers the request until its answer.
     */
    Position resumeFrom(String topic) {
        Position position = positions.get(topic);
        if (position == null) {
            resumeRequested.remove(topic);
        } else {
            resumeRequested.put(topic, position);
        }
        return position;
    }

    /**
     * Records a topic message and says whether it is new: false for an offset at or below the last
     * one seen in the same epoch (a replay after a reconnect). A message of another epoch starts
     * that epoch (its history was lost on the server; the {@code subscribed} answer reports that).
     */
    boolean accept(String topic, long offset, String epoch) {
        Position last = positions.get(topic);
        if (last != null && last.epoch().equals(epoch) && offset <= last.offset()) {
            return false;
        }
        positions.put(topic, new Position(epoch, offset));
        return true;
    }

    /**
     * Records a {@code subscribed} answer and returns what could not be recovered, or null. A
     * plain subscribe (no {@code since}) starts at the topic's current position; a resume that the
     * server could not serve ({@code recovered: false}) reports the position it had asked for, and
     * the stream continues after the server's current position.
     */
    RecoveryFailure subscribed(String topic, long offset, String epoch, boolean recovered) {
        Position asked = resumeRequested.remove(topic);
        Position last = positions.get(topic);
        if (recovered) {
            // The replay (offsets up to `offset`) arrived before this answer; keep the later one.
            if (last == null || !last.epoch().equals(epoch) || last.offset() < offset) {
                positions.put(topic, new Position(epoch, offset));
            }
            return null;
        }
        positions.put(topic, new Position(epoch, offset));
        if (asked == null) {
            return null;
        }
        Position seen = last != null ? last : asked;
        return new RecoveryFailure(topic, seen.epoch(), seen.offset(), epoch, offset);
    }

    /** The last position delivered for {@code topic}, or null. */
    Position position(String topic) {
        return positions.get(topic);
    }

    /** Forgets {@code topic} (after an unsubscribe): a later subscribe starts afresh. */
    void forget(String topic) {
        positions.remove(topic);
        resumeRequested.remove(topic);
    }
}
