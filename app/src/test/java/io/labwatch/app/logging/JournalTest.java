package io.labwatch.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

  @TempDir Path dir;

  @Test
  void theJournalIsRecognizedOnlyWhenStandardErrorIsTheStreamItNames() throws Exception {
    Path socket = Files.createSymbolicLink(dir.resolve("2"), Path.of("socket:[48213]"));
    Path file = Files.createSymbolicLink(dir.resolve("2f"), Path.of("/var/log/labwatch.log"));
    assertThat(Journal.toJournal("9:48213", socket)).isTrue();
    // systemd's variable inherited by a process whose stderr went elsewhere (a pipe, a file)
    assertThat(Journal.toJournal("9:48214", socket)).isFalse();
    assertThat(Journal.toJournal("9:48213", file)).isFalse();
    assertThat(Journal.toJournal(null, socket)).isFalse();
    assertThat(Journal.toJournal("garbage", socket)).isFalse();
  }

  @Test
  void priorities() {
    assertThat(Journal.priority(Level.ERROR)).isEqualTo("<3>");
    assertThat(Journal.priority(Level.WARN)).isEqualTo("<4>");
    assertThat(Journal.priority(Level.INFO)).isEqualTo("<6>");
    assertThat(Journal.priority(Level.DEBUG)).isEqualTo("<7>");
  }

  @Test
  void alertsCarryTheirOwnPriorityInTheJournal() {
    Instant at = Instant.parse("2026-12-04T10:00:00Z");
    Alert conflict =
        Alert.firing(
            "IP_CONFLICT", "10.0.0.5", Severity.CRITICAL, "s", Evidence.NONE, Map.of(), at);
    Alert load =
        Alert.firing("LOAD_SPIKE", "gpu1", Severity.WARNING, "s", Evidence.NONE, Map.of(), at);
    Alert macChanged =
        Alert.event("MAC_CHANGED", "10.0.0.7", Severity.WARNING, "s", Evidence.NONE, Map.of(), at);
    Alert station =
        Alert.event("NEW_STATION", "10.0.0.8", Severity.INFO, "s", Evidence.NONE, Map.of(), at);
    // journalctl -p crit: the critical incidents; -p warning: every firing one
    assertThat(Journal.priority(conflict)).isEqualTo("<2>");
    assertThat(Journal.priority(load)).isEqualTo("<4>");
    assertThat(Journal.priority(macChanged)).isEqualTo("<4>");
    assertThat(Journal.priority(station)).isEqualTo("<5>");
    assertThat(Journal.priority(conflict.resolved("gone", at.plusSeconds(60)))).isEqualTo("<5>");
    // (the test's own standard output is not the journal)
    assertThat(Journal.alertPrefix().apply(conflict)).isEmpty();
  }

  @Test
  void onATerminalOrInAFileEveryLineStartsWithItsDateAndTime() {
    Logger logger = new LoggerContext().getLogger("x");
    LoggingEvent event = new LoggingEvent("x", logger, Level.WARN, "m", null, null);
    event.setTimeStamp(1_796_400_000_123L);
    // (the test's own stderr is not a journal stream)
    assertThat(new Journal.Prefix().convert(event))
        .matches("2026-12-0\\d \\d\\d:\\d\\d:\\d\\d\\.123 ");
  }
}
