package dev.switchboard.client;

/**
 * A resume that the server could not serve: messages of {@code topic} after
 * {@code lastEpoch}/{@code lastOffset} (the last one the listener saw) up to
 * {@code epoch}/{@code offset} (where the stream continues) are lost to this client, because the
 * server's history no longer holds them or its epoch changed (e.g. a restart).
 *
 * <p>When {@code lastEpoch} equals {@code epoch}, the missed offsets are
 * {@code lastOffset + 1 .. offset}; otherwise how many were missed is unknown.
 *
 * @param topic      the topic
 * @param lastEpoch  epoch of the last message delivered to the listener (or of the last subscribe answer)
 * @param lastOffset offset of that message (0: none)
 * @param epoch      the topic's epoch now
 * @param offset     the topic's last offset now; live messages continue after it
 */
public record RecoveryFailure(String topic, String lastEpoch, long lastOffset, String epoch, long offset) {

    /** Whether the epoch changed, so the number of missed messages is unknown. */
    public boolean epochChanged() {
        return !epoch.equals(lastEpoch);
    }
}
