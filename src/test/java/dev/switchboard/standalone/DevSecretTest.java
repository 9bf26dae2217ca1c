package dev.switchboard.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.config.ConfigurationException;
import dev.switchboard.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevSecretTest {

    @TempDir
    Path dir;

    private DevSecret devSecret(Path file) {
        System.setProperty("switchboard.dev.secret.file", file.toString());
        try {
            return DevSecret.of(Settings.fromProcess());
        } finally {
            System.clearProperty("switchboard.dev.secret.file");
        }
    }

    @Test
    void isCreatedReadableByItsOwnerOnlyAndKeptAcrossRuns() throws Exception {
        Path file = dir.resolve("home").resolve(".switchboard").resolve("dev-secret");

        String first = devSecret(file).readOrCreate();
        String second = devSecret(file).readOrCreate();

        assertThat(first).hasSizeGreaterThanOrEqualTo(32).isEqualTo(second);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void aFileOthersCanReadIsRefusedWithTheFix() throws Exception {
        Path file = dir.resolve("dev-secret");
        Files.writeString(file, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> devSecret(file).read()).isInstanceOf(ConfigurationException.class)
                .hasMessage("The dev secret file " + file + " can be read by other users; make it yours alone with:"
                        + " chmod 600 " + file);
    }

    @Test
    void aMissingFileSaysHowToCreateIt() {
        Path file = dir.resolve("none");
        assertThatThrownBy(() -> devSecret(file).read()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("start the server once in dev mode");
    }
}
