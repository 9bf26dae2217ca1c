package dev.switchboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingFileTest {

    /** Positive integers only: anything else does not parse. */
    private static final ReloadingFile.Parser<Integer> NUMBER = text -> {
        int value = Integer.parseInt(text.trim());
        if (value <= 0) {
            throw new IllegalArgumentException("must be positive");
        }
        return value;
    };

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.atFixedInstant();

    private ReloadingFile<Integer> open(String content) throws Exception {
        Path file = dir.resolve("value.txt");
        Files.writeString(file, content);
        return ReloadingFile.open("SWITCHBOARD_TEST", file, NUMBER, clock, Duration.ofSeconds(1));
    }

    @Test
    void aFileThatDoesNotParseAtStartIsOneLineNamingTheSettingAndTheFile() throws Exception {
        Files.writeString(dir.resolve("value.txt"), "-3");

        assertThatThrownBy(() -> ReloadingFile.open("SWITCHBOARD_TEST", dir.resolve("value.txt"), NUMBER, clock,
                Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SWITCHBOARD_TEST file " + dir.resolve("value.txt") + " is not valid: must be positive");
    }

    @Test
    void aMissingFileAtStartIsOneLine() {
        assertThatThrownBy(() -> ReloadingFile.open("SWITCHBOARD_TEST", dir.resolve("absent"), NUMBER, clock,
                Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot read SWITCHBOARD_TEST file ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aChangedFileComesIntoForceAtTheNextCheck() throws Exception {
        ReloadingFile<Integer> file = open("1");
        assertThat(file.check()).isFalse(); // unchanged

        Files.writeString(dir.resolve("value.txt"), "2");

        assertThat(file.current()).isEqualTo(1);
        assertThat(file.check()).isTrue();
        assertThat(file.current()).isEqualTo(2);
    }

    @Test
    void aChangeThatDoesNotParseIsRefusedAndTheVersionInForceStays() throws Exception {
        ReloadingFile<Integer> file = open("1");

        Files.writeString(dir.resolve("value.txt"), "not a number");
        assertThat(file.check()).isFalse();
        assertThat(file.current()).isEqualTo(1);

        Files.writeString(dir.resolve("value.txt"), "3"); // fixed: taken
        assertThat(file.check()).isTrue();
        assertThat(file.current()).isEqualTo(3);
    }

    @Test
    void aFileThatDisappearsKeepsTheVersionInForce() throws Exception {
        ReloadingFile<Integer> file = open("1");
        Files.delete(dir.resolve("value.txt"));

        assertThat(file.check()).isFalse();
        assertThat(file.current()).isEqualTo(1);
    }

    @Test
    void checksOnDemandAreRateLimited() throws Exception {
        ReloadingFile<Integer> file = open("1");
        assertThat(file.checkSoon()).isFalse(); // checked, nothing new

        Files.writeString(dir.resolve("value.txt"), "2");
        assertThat(file.checkSoon()).isFalse(); // within a second of the last one: not read
        assertThat(file.current()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(file.checkSoon()).isTrue();
        assertThat(file.current()).isEqualTo(2);
    }
}
