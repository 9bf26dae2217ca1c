package dev.switchboard.bench.client;

import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * How other threads talk to a load client's one selector thread: tasks it runs between rounds of
 * I/O, and conditions it checks after each round for a thread that waits on them. The selector
 * thread calls {@link #runPending()} and {@link #checkWaiters()} in its loop; everything else may
 * be called from any thread.
 */
final class SelectorTasks {

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Belongs to the selector thread. */
    private final List<Waiter> waiters = new ArrayList<>();

    SelectorTasks(Selector selector) {
        this.selector = selector;
    }

    /** Queues {@code task} for the selector thread and wakes it. */
    void post(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Whether no task waits: the selector thread may then sleep in select(). */
    boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** Runs {@code task} on the selector thread and returns its result. */
    <T> T call(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        post(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("selector task failed: " + (e.getCause() != null ? e.getCause() : e), e);
        }
    }

    /** Waits until {@code condition}, evaluated on the selector thread after each round of I/O, holds; false on timeout. */
    boolean awaitCondition(BooleanSupplier condition, long timeout, TimeUnit unit) throws InterruptedException {
        Waiter waiter = new Waiter(condition, new CompletableFuture<>());
        call(() -> waiters.add(waiter));
        try {
            waiter.done.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            call(() -> waiters.remove(waiter));
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Selector thread: runs the queued tasks. */
    void runPending() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** Selector thread: releases the waiters whose condition now holds. */
    void checkWaiters() {
        for (int i = waiters.size() - 1; i >= 0; i--) {
            Waiter waiter = waiters.get(i);
            if (waiter.condition.getAsBoolean()) {
                waiters.remove(i);
                waiter.done.complete(null);
            }
        }
    }

    private record Waiter(BooleanSupplier condition, CompletableFuture<Void> done) {
    }
}
