package dev.switchboard.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live heap of another JVM, the same way for every peer: {@code jcmd <pid> GC.run} (a full
 * collection, so only reachable objects remain), then {@code jcmd <pid> GC.heap_info}, summing
 * the "used NNNK" of the heap's generations (Serial, Parallel or G1 print them differently) and
 * leaving out Metaspace.
 */
public final class HeapProbe {

    private static final Pattern USED = Pattern.compile("\\bused (\\d+)K");

    private HeapProbe() {
    }

    public static long liveHeapKb(long pid) {
        run(pid, "GC.run");
        String info = run(pid, "GC.heap_info");
        long used = 0;
        for (String line : info.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher matcher = USED.matcher(line);
            if (matcher.find()) {
                used += Long.parseLong(matcher.group(1));
            }
        }
        return used;
    }

    /**
     * Live heap once it stopped falling: connections closed just before (the handshake warm-up)
     * may still be held while the server processes their closes, and would count against the
     * sessions measured next. Probes until a reading is within 1 % of the one before, at most 8
     * times: a peer whose heap keeps falling (its own caches) must not hold up the run.
     */
    public static long settledLiveHeapKb(long pid) throws InterruptedException {
        long previous = liveHeapKb(pid);
        for (int probe = 0; probe < 8; probe++) {
            Thread.sleep(250); // the server's close processing runs on its own; we only look again
            long now = liveHeapKb(pid);
            if (now >= previous * 0.99) {
                return Math.min(now, previous);
            }
            previous = now;
        }
        return previous;
    }

    private static String run(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run jcmd", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
