package dev.switchboard.standalone;

import java.util.concurrent.Executor;

/**
 * The embedded connector's executor: Tomcat's own pool, except that the completion of a WebSocket
 * send that a Switchboard drain thread started, and that Tomcat wrote at once, runs on that drain
 * thread instead of being handed to the pool.
 *
 * <p>Why: Tomcat hands every async send's completion to its executor, even when the write
 * finished inline, so that a handler which sends again cannot recurse. A fan-out then costs one
 * thread handoff per recipient, and the drains wander over up to 200 pool threads: on one core,
 * more context switches than sends. The session's outbound queue is a trampoline (a completion
 * that arrives while its send call is still on the stack only marks the send done, and the drain
 * loop goes on), so running the completion inline cannot recurse through it. Tomcat finishes the
 * write operation (semaphore released, operation cleared) before it calls the completion, so the
 * next send may start at once.
 *
 * <p>At most one completion runs inline per thread at a time: a completion that itself sends
 * (Tomcat writes a long message in parts, each part completing the previous) goes to the pool as
 * before, so the stack stays flat. Completions on any other thread (the poller, after a write
 * that had to wait for the peer) are untouched.
 *
 * <p>The drain threads are recognised by name: the application runs in the web application's
 * class loader, so no class or thread-local of its own is visible here.
 */
final class InlineSendCompletionExecutor implements Executor {

    private static final String SEND_COMPLETION = "org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer$OnResultRunnable";
    /** {@code config.SessionExecutors} names its drain threads so. */
    private static final String DRAIN_THREAD_PREFIX = "switchboard-drain-";

    private final Executor pool;
    private final ThreadLocal<Boolean> runningInline = ThreadLocal.withInitial(() -> Boolean.FALSE);

    InlineSendCompletionExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        if (!runsInline(task)) {
            pool.execute(task);
            return;
        }
        runningInline.set(Boolean.TRUE);
        try {
            task.run();
        } finally {
            runningInline.set(Boolean.FALSE);
        }
    }

    private boolean runsInline(Runnable task) {
        return task.getClass().getName().equals(SEND_COMPLETION)
                && Thread.currentThread().getName().startsWith(DRAIN_THREAD_PREFIX)
                && !runningInline.get();
    }
}
