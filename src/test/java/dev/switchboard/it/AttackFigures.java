package dev.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * What the attack suite measured (flood rates, connections absorbed, the control client's
 * latency), one line per figure in {@code target/it-logs/<deployment>/attack-figures.txt} and on the
 * test's standard output (the failsafe report), so a run on a given machine can be quoted.
 */
final class AttackFigures {

    private AttackFigures() {
    }

    static synchronized void record(String test, String figure) {
        String line = Instant.now() + " " + test + ": " + figure;
        System.out.println("[attack figures] " + line);
        Path file = Path.of("target", "it-logs", Deployment.current().name()
                + (NginxFront.requested() ? "-nginx" : ""), "attack-figures.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
