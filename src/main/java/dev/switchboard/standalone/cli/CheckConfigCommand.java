package dev.switchboard.standalone.cli;

import dev.switchboard.standalone.ApplicationCheck;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code check-config}: checks every setting of this process exactly as start-up does, with the
 * application's own code (see {@link ApplicationCheck}), and prints the effective configuration
 * with secrets masked. A bad setting is one line on stderr and exit status 2 (reported by the
 * caller); nothing is contacted (Redis, a JWKS URL).
 */
final class CheckConfigCommand {

    private CheckConfigCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        Options.parse(args, Set.of());
        Path work = Files.createTempDirectory("switchboard-check-");
        try {
            List<String> description = ApplicationCheck.run(work);
            out.println("Configuration is valid.");
            description.forEach(out::println);
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
