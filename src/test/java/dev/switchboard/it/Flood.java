package dev.switchboard.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an attack step over and over from a few threads for a fixed time, either as fast as it goes
 * or paced to an offered rate (steps per second, over all threads): the flood of the flood tests.
 * The rate offered is what a figure is quoted at; the rate achieved says whether the machine kept up.
 */
final class Flood {

    /** One attack step, given the index of the step (unique over all threads). */
    @FunctionalInterface
    interface Step {
        void run(long index) throws Exception;
    }

    /** What a flood did: steps run, seconds taken, and the first failure of a step if any. */
    record Outcome(long steps, double seconds, Throwable failure) {
        double rate() {
            return steps / seconds;
        }
    }

    private Flood() {
    }

    /**
     * Runs {@code step} on {@code threads} threads for {@code duration}, at {@code ratePerSecond}
     * steps per second over all threads (0: as fast as the threads go).
     */
    static Outcome run(int threads, double ratePerSecond, Duration duration, Step step) throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "flood");
            thread.setDaemon(true);
            return thread;
        });
        List<Future<?>> workers = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                for (;;) {
                    long index = next.getAndIncrement();
                    long due = ratePerSecond > 0 ? start + (long) (index * 1e9 / ratePerSecond) : System.nanoTime();
                    if (due >= end) {
                        return null;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // pacing the offered load, not synchronisation
                    }
                    if (System.nanoTime() >= end) {
                        return null;
                    }
                    try {
                        step.run(index);
                        done.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        synchronized (failure) {
                            if (failure[0] == null) {
                                failure[0] = e;
                            }
                        }
                        return null;
                    }
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
        }
        pool.shutdownNow();
        double seconds = (System.nanoTime() - start) / 1e9;
        synchronized (failure) {
            return new Outcome(done.get(), seconds, failure[0]);
        }
    }
}
