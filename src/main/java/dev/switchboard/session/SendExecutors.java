package dev.switchboard.session;

import java.util.concurrent.Executor;

/**
 * The threads outbound queues run on.
 *
 * @param drains   starts a queue's drain when it goes from idle to busy. Drains never block (every
 *                 send is asynchronous), so a few threads serve every session: a fan-out to thousands
 *                 of idle sessions costs one queued task each, not a thread each
 * @param blocking runs the transport calls that may block up to the send time limit: closes,
 *                 pings, flushes of batched frames. A stalled reader can hold one of these threads,
 *                 never a drain thread
 */
public record SendExecutors(Executor drains, Executor blocking) {

    /** One executor for both (tests). */
    public static SendExecutors both(Executor executor) {
        return new SendExecutors(executor, executor);
    }
}
