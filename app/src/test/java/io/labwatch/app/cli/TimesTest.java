package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.LabwatchException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The times replay, report and tail take. */
class TimesTest {

  static final Instant NOW = Instant.parse("2026-11-25T14:00:00Z");

  @Test
  void takesTimesDaysDurationsAgoAndNow() {
    assertThat(Times.parse("--from", "2026-11-10T00:00Z", NOW))
        .isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
    assertThat(Times.parse("--from", "2026-11-10T01:00:00+01:00", NOW))
        .isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
    assertThat(Times.parse("--from", "2026-11-10", NOW))
        .isEqualTo(Instant.parse("2026-11-10T00:00:00Z"));
    assertThat(Times.parse("--from", "2h", NOW)).isEqualTo(Instant.parse("2026-11-25T12:00:00Z"));
    assertThat(Times.parse("--to", "now", NOW)).isEqualTo(NOW);
  }

  @Test
  void somethingElseIsOneLineNamingTheOptionAndTheForms() {
    assertThatThrownBy(() -> Times.parse("--from", "last tuesday", NOW))
        .isInstanceOf(LabwatchException.class)
        .hasMessageStartingWith("--from 'last tuesday' is not a time (2026-11-25T14:00Z");
  }
}
