package dev.switchboard.broker;

/** The heap this test JVM uses once garbage is collected: the least of a few GC-then-read rounds. */
final class SettledHeap {

    private SettledHeap() {
    }

    static long used() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
