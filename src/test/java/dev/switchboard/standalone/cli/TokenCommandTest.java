package dev.switchboard.standalone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenCommandTest {

    @Test
    void aTtlIsSecondsMinutesHoursDaysOrIso8601() {
        assertThat(TokenCommand.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(TokenCommand.duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(TokenCommand.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(TokenCommand.duration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(TokenCommand.duration("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
        assertThat(TokenCommand.duration("pt2h")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void anythingElseIsAUsageErrorThatShowsTheForms() {
        for (String bad : new String[] {"1 hour", "h", "", "2x", "-5m", "0s"}) {
            assertThatThrownBy(() -> TokenCommand.duration(bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining("--ttl '" + bad + "'");
        }
    }
}
