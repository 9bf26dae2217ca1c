package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server's live heap, measured from outside as an operator would: a full GC requested in the
 * server's JVM with {@code jcmd <pid> GC.run} (the JDK's own attach tool; nothing in the product
 * exposes a GC), then the heap pools as {@code /metrics} reports them ({@code jvm_memory_used_bytes}
 * with {@code area="heap"}). Eden is left out: the GC emptied it, and what it holds by the time
 * the metrics are read was allocated after the GC (the scrape itself, traffic still flowing).
 */
final class ServerHeap {

    private ServerHeap() {
    }

    /** Bytes of heap that survived a full GC just now. */
    static long usedAfterGc(ServerProcess server, HttpApi api) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(server.jvmPid()), "GC.run").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).as("jcmd GC.run finished").isTrue();
        assertThat(jcmd.exitValue()).as("jcmd GC.run: %s", output).isZero();
        HttpApi.Response metrics = api.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        long used = metrics.body().lines()
                .filter(line -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")
                        && !line.contains("Eden"))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
        assertThat(used).as("heap pools in /metrics").isPositive();
        return used;
    }
}
