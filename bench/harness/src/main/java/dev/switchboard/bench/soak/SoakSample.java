package dev.switchboard.bench.soak;

/**
 * One row of the soak table, taken every sample interval. Server figures: live heap after a full
 * GC ({@code jcmd GC.run}, then {@code GC.heap_info}), threads ({@code /proc/<pid>/status}),
 * open file descriptors ({@code /proc/<pid>/fd}), RSS, CPU over the interval. Latency: live
 * deliveries to sessions that do not stall, during the interval (replays after a resume left out).
 *
 * @param seconds        since the sessions started connecting (0: the idle server before them)
 * @param deliveries     live deliveries counted in the latency figures during the interval
 * @param connected      sessions welcomed and open at the sample
 * @param stalled        stallers not reading at the sample
 * @param slowClosed     sessions the server closed as slow consumers so far ({@code /api/v1/stats})
 */
record SoakSample(double seconds, double heapMb, long threads, long fds, double rssMb, double serverCpuPercent,
                  double clientCpuPercent, int connected, int stalled, long deliveries, double p50Ms, double p99Ms,
                  double p999Ms, double maxMs, long slowClosed) {
}
