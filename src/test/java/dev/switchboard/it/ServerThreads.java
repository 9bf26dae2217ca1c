package dev.switchboard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The live threads of a server's JVM, as {@code jcmd <pid> Thread.print} lists them (the JDK's own
 * attach tool, so the count does not depend on what the product chooses to export). Split into the
 * container's request threads ({@code tomcat-exec-*}, the standalone launcher's pool, which grows
 * with concurrent requests whatever they do) and all others.
 */
record ServerThreads(int requestThreads, int otherThreads) {

    private static final String REQUEST_THREAD_PREFIX = "tomcat-exec-";

    static ServerThreads of(ServerProcess server) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(server.jvmPid()), "Thread.print").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).as("jcmd Thread.print finished").isTrue();
        assertThat(jcmd.exitValue()).as("jcmd Thread.print: %s", output).isZero();
        // Every thread's entry starts with its quoted name at the beginning of a line.
        List<String> names = output.lines().filter(line -> line.startsWith("\""))
                .map(line -> line.substring(1, line.indexOf('"', 1))).toList();
        int requests = (int) names.stream().filter(name -> name.startsWith(REQUEST_THREAD_PREFIX)).count();
        return new ServerThreads(requests, names.size() - requests);
    }

    int total() {
        return requestThreads + otherThreads;
    }
}
