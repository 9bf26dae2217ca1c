import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Runs the built example on Payara Micro:
 * {@code java src/run/RunOnPayaraMicro.java <target> <port> [<run folder name>]} (what
 * {@code mvn package -Prun} does; the browser tests give a folder of their own, default {@code run}). Gives Switchboard an HS256 secret of its own (made once,
 * kept in {@code target/run/secret}, or {@code SWITCHBOARD_JWT_SECRET} when set), starts
 * {@code target/payara-micro.jar} with {@code target/call-centre.war} at the root context, and
 * says where it runs once {@code /health/ready} answers 200. Ctrl-C (or SIGTERM) stops Payara,
 * which closes every session with 1001.
 */
public final class RunOnPayaraMicro {

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args.length > 0 ? args[0] : "target").toAbsolutePath();
        int port = Integer.parseInt(args.length > 1 ? args[1] : "8080");
        Path run = Files.createDirectories(target.resolve(args.length > 2 ? args[2] : "run"));

        Path properties = run.resolve("switchboard.properties");
        Files.deleteIfExists(properties);
        Files.createFile(properties, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(properties, "switchboard.jwt.secret=" + secret(run) + "\n");

        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", target.resolve("payara-micro.jar").toString(),
                "--deploy", target.resolve("call-centre.war").toString(),
                "--contextroot", "/",
                "--port", String.valueOf(port),
                "--systemproperties", properties.toString(),
                "--rootdir", run.resolve("payara").toString(),
                "--nocluster", "--disablephonehome");
        Process payara = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(payara)));

        String url = "http://localhost:" + port + "/";
        if (awaitReady(payara, URI.create(url + "health/ready"))) {
            System.out.println();
            System.out.println("Call centre is running at " + url);
            System.out.println("  agent desk:        " + url + "agent.html?name=alice");
            System.out.println("  supervisor board:  " + url + "board.html?name=sam");
            System.out.println("  ring the first free agent:");
            System.out.println("    curl -H 'Content-Type: application/json' -d '{\"caller\":\"+44 20 7946 0000\"}' "
                    + url + "centre/calls");
            System.out.println();
        }
        System.exit(payara.waitFor());
    }

    /** SWITCHBOARD_JWT_SECRET if set; else one made on the first run and kept in target/run/secret. */
    private static String secret(Path run) throws IOException {
        String given = System.getenv("SWITCHBOARD_JWT_SECRET");
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        Path file = run.resolve("secret");
        if (!Files.exists(file)) {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
        return Files.readString(file).trim();
    }

    private static boolean awaitReady(Process payara, URI ready) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        // Payara Micro holds requests while it deploys: wait for the answer rather than hang up.
        HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofMinutes(2)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (payara.isAlive() && System.nanoTime() < deadline) {
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet: Payara Micro takes a while to boot
            }
            Thread.sleep(250);
        }
        return false;
    }

    private static void stop(Process payara) {
        payara.destroy();
        try {
            payara.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
