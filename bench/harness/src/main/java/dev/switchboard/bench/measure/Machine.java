package dev.switchboard.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a run happened on, for the report: processors, CPU model, memory, JDK. */
public record Machine(int processors, String cpuModel, long memoryGb, String jdk, String os) {

    public static Machine current() {
        String model = "unknown";
        long memoryKb = 0;
        int processors = Runtime.getRuntime().availableProcessors();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memoryKb = Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
            // nproc counts online processors; the harness itself may be pinned to one of them.
            processors = (int) Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("processor")).count();
        } catch (IOException e) {
            // keep what we have: the report says "unknown"
        }
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version");
        return new Machine(processors, model, Math.round(memoryKb / 1024.0 / 1024.0), jdk, os);
    }
}
