package dev.switchboard.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian package) in front of a test server, configured with the shipped
 * {@code server-config/nginx/switchboard-locations.conf}, so the whole client-side suite can run
 * through it ({@code mvn verify -Dswitchboard.it.front=nginx}).
 */
final class NginxFront implements AutoCloseable {

    private final Process process;
    private final int port;

    private NginxFront(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Whether the suite was asked to run behind nginx. */
    static boolean requested() {
        return "nginx".equals(System.getProperty("switchboard.it.front"));
    }

    static NginxFront start(String name, int backendPort) throws IOException {
        return start(name, java.util.List.of(backendPort));
    }

    /**
     * nginx with an upstream of several nodes (as {@code server-config/nginx/switchboard-cluster.conf},
     * on these ports) and the shipped locations.
     */
    static NginxFront start(String name, java.util.List<Integer> backendPorts) throws IOException {
        int port = ServerProcess.freePort();
        Path prefix = Files.createDirectories(Path.of("target", "nginx", name).toAbsolutePath());
        Path locations = Path.of("server-config", "nginx", "switchboard-locations.conf").toAbsolutePath();
        Path config = prefix.resolve("nginx.conf");
        // As root, nginx runs its workers as an unprivileged user, which cannot write request bodies
        // under this build folder when a parent is private (mktemp -d is 0700): keep them root.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;" : "";
        Files.writeString(config, """
                %5$s
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                    upstream switchboard { least_conn; %2$s }
                    server {
                        listen 127.0.0.1:%3$d;
                        include %4$s;
                    }
                }
                """.formatted(prefix, servers(backendPorts), port, locations, user));
        Process process = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
        return new NginxFront(process, port);
    }

    /**
     * nginx running a shipped example site ({@code server-config/nginx/<siteFile>}) as it is, but
     * for the addresses: its {@code server} lines become {@code backendPorts} on this host, its
     * {@code listen} a free local port, and its include the shipped locations in this checkout.
     */
    static NginxFront startSite(String name, String siteFile, java.util.List<Integer> backendPorts) throws IOException {
        int port = ServerProcess.freePort();
        Path prefix = Files.createDirectories(Path.of("target", "nginx", name).toAbsolutePath());
        Path locations = Path.of("server-config", "nginx", "switchboard-locations.conf").toAbsolutePath();
        String site = Files.readString(Path.of("server-config", "nginx", siteFile));
        String servers = backendPorts.stream().map(backend -> "server 127.0.0.1:" + backend + " max_fails=1 fail_timeout=10s;")
                .collect(java.util.stream.Collectors.joining("\n    "));
        String local = site.replaceFirst("(?m)^(\\s*server \\d+\\.\\d+\\.\\d+\\.\\d+:\\d+[^;]*;\\n)+",
                        java.util.regex.Matcher.quoteReplacement("    " + servers + "\n"))
                .replace("listen 80;", "listen 127.0.0.1:" + port + ";")
                .replace("include /etc/nginx/switchboard-locations.conf;", "include " + locations + ";");
        if (local.contains("10.0.0.") || !local.contains("127.0.0.1:" + port)) {
            throw new IllegalStateException("could not adapt " + siteFile + " to the test ports:\n" + local);
        }
        Path sitePath = prefix.resolve(siteFile);
        Files.writeString(sitePath, local);
        Path config = prefix.resolve("nginx.conf");
        String user = "root".equals(System.getProperty("user.name")) ? "user root;" : "";
        Files.writeString(config, """
                %3$s
                daemon off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    include %2$s;
                }
                """.formatted(prefix, sitePath, user));
        Process process = new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
        return new NginxFront(process, port);
    }

    private static String servers(java.util.List<Integer> ports) {
        StringBuilder servers = new StringBuilder();
        for (int backend : ports) {
            servers.append("server 127.0.0.1:").append(backend).append(" max_fails=1 fail_timeout=10s; ");
        }
        return servers.toString();
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
