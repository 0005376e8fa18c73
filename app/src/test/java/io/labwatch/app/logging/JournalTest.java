package io.labwatch.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void onATerminalOrInAFileEveryLineStartsWithItsDateAndTime() {
    Logger logger = new LoggerContext().getLogger("x");
    LoggingEvent event = new LoggingEvent("x", logger, Level.WARN, "m", null, null);
    event.setTimeStamp(1_796_400_000_123L);
    // (the test's own stderr is not a journal stream)
    assertThat(new Journal.Prefix().convert(event))
        .matches("2026-12-0\\d \\d\\d:\\d\\d:\\d\\d\\.123 ");
  }
}
