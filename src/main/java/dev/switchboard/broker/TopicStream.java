package dev.switchboard.broker;

/**
 * One topic's position counter. Publishing and subscribing to a topic synchronise on its stream,
 * which is what makes offsets strictly increasing in every session's queue and puts a
 * {@code subscribed} answer exactly before the first live message after it.
 *
 * <p>Guarded by {@code this}.
 */
final class TopicStream {
    private long lastOffset;

    long lastOffset() {
        return lastOffset;
    }

    long nextOffset() {
        return ++lastOffset;
    }
}
