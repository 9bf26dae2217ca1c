package dev.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void systemPropertyWinsOverEnvironmentAndFile() throws IOException {
        Path file = configFile("switchboard.port=1111\n");

        Settings settings = Settings.of(Map.of("switchboard.port", "3333"),
                Map.of("SWITCHBOARD_PORT", "2222", "SWITCHBOARD_CONFIG", file.toString()));

        assertThat(settings.get("port")).hasValue("3333");
    }

    @Test
    void environmentWinsOverFile() throws IOException {
        Path file = configFile("switchboard.port=1111\nSWITCHBOARD_PORT=1112\n");

        Settings settings = Settings.of(Map.of(), Map.of("SWITCHBOARD_PORT", "2222",
                "SWITCHBOARD_CONFIG", file.toString()));

        assertThat(settings.get("port")).hasValue("2222");
    }

    @Test
    void fileIsUsedWhenNeitherPropertyNorVariableIsSet() throws IOException {
        Path file = configFile("switchboard.port=1111\n");

        Settings settings = Settings.of(Map.of(), Map.of("SWITCHBOARD_CONFIG", file.toString()));

        assertThat(settings.get("port")).hasValue("1111");
    }

    @Test
    void fileAcceptsTheEnvironmentVariableSpellingToo() throws IOException {
        Path file = configFile("SWITCHBOARD_JWT_PUBLIC_KEY=/keys/jwt.pem\nswitchboard.channel.policy=replace\n");

        Settings settings = Settings.of(Map.of(), Map.of("SWITCHBOARD_CONFIG", file.toString()));

        assertThat(settings.get("jwt.public-key")).hasValue("/keys/jwt.pem");
        assertThat(settings.get("channel.policy")).hasValue("replace");
    }

    @Test
    void configFileCanBeNamedByASystemProperty() throws IOException {
        Path file = configFile("switchboard.api.key=from-file\n");

        Settings settings = Settings.of(Map.of("switchboard.config", file.toString()), Map.of());

        assertThat(settings.get("api.key")).hasValue("from-file");
    }

    @Test
    void configFileIsReadAsUtf8() throws IOException {
        Path file = configFile("switchboard.node.id=nœud-1\n");

        Settings settings = Settings.of(Map.of(), Map.of("SWITCHBOARD_CONFIG", file.toString()));

        assertThat(settings.get("node.id")).hasValue("nœud-1");
    }

    @Test
    void unsetKeyIsAbsent() {
        assertThat(Settings.of(Map.of(), Map.of()).get("jwt.secret")).isEmpty();
    }

    @Test
    void blankValuesCountAsAbsentAtEveryLevel() throws IOException {
        Path file = configFile("switchboard.port=1111\nswitchboard.api.key=   \n");

        Settings settings = Settings.of(Map.of("switchboard.port", " ", "switchboard.api.key", ""),
                Map.of("SWITCHBOARD_PORT", "", "SWITCHBOARD_CONFIG", file.toString()));

        assertThat(settings.get("port")).hasValue("1111");
        assertThat(settings.get("api.key")).isEmpty();
    }

    @Test
    void blankConfigFileNameMeansNoFile() {
        Settings settings = Settings.of(Map.of("switchboard.config", "  "), Map.of("SWITCHBOARD_CONFIG", ""));

        assertThat(settings.get("port")).isEmpty();
    }

    @Test
    void valuesAreTrimmed() {
        Settings settings = Settings.of(Map.of("switchboard.port", " 9090 "), Map.of());

        assertThat(settings.get("port")).hasValue("9090");
    }

    @Test
    void unreadableConfigFileIsAConfigurationErrorNamingIt() {
        Path missing = dir.resolve("missing.properties");

        assertThatThrownBy(() -> Settings.of(Map.of(), Map.of("SWITCHBOARD_CONFIG", missing.toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SWITCHBOARD_CONFIG")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void environmentNameIsTheUpperCaseKeyWithUnderscores() {
        assertThat(Settings.environmentName("jwt.public-key")).isEqualTo("SWITCHBOARD_JWT_PUBLIC_KEY");
        assertThat(Settings.environmentName("port")).isEqualTo("SWITCHBOARD_PORT");
    }

    @Test
    void fromProcessReadsSystemProperties() {
        String key = "switchboard.settings-test.marker";
        System.setProperty(key, "present");
        try {
            assertThat(Settings.fromProcess().get("settings-test.marker")).hasValue("present");
        } finally {
            System.clearProperty(key);
        }
    }

    private Path configFile(String content) throws IOException {
        Path file = dir.resolve("switchboard.properties");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
