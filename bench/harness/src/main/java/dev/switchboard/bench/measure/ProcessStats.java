package dev.switchboard.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time, resident memory and thread count from Linux {@code /proc}.
 * CPU: fields 14 and 15 (utime, stime) of {@code /proc/<pid>/stat}, in clock ticks of 1/100 s
 * (USER_HZ is 100 on every Linux architecture the suite runs on).
 */
public final class ProcessStats {

    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {
    }

    /**
     * CPU seconds a process used so far, split into its own code (user) and the kernel working for
     * it (system: socket writes, and on loopback the receiving side's TCP processing too).
     */
    public record CpuTimes(double user, double system) {

        public double total() {
            return user + system;
        }
    }

    /** CPU seconds (user + system) the process used so far; "self" for this process. */
    public static double cpuSeconds(String pid) {
        return cpuTimes(pid).total();
    }

    /** CPU seconds the process used so far, user and system apart; "self" for this process. */
    public static CpuTimes cpuTimes(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return new CpuTimes(utime / TICKS_PER_SECOND, stime / TICKS_PER_SECOND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
        }
    }

    /** VmRSS in KB. */
    public static long rssKb(String pid) {
        return statusField(pid, "VmRSS:");
    }

    public static long threads(String pid) {
        return statusField(pid, "Threads:");
    }

    private static long statusField(String pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
            throw new IllegalStateException(name + " missing in /proc/" + pid + "/status");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
        }
    }
}
