package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import io.labwatch.events.AlertKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpTopicsCliTest {

  private final Cli cli = new Cli();

  @Test
  void helpAloneListsEveryTopicAndTheCommands() {
    Cli.Result r = cli.run("help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains(AlertKinds.names()).contains("config", "silences", "sensor");
  }

  @ParameterizedTest
  @ValueSource(strings = {"IP_CONFLICT", "ip-conflict", "ip_conflict"})
  void aKindsTopicSaysWhatFiresAndResolvesIt(String topic) {
    Cli.Result r = cli.run("help", topic);
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .startsWith("IP_CONFLICT (critical")
        .contains("Fires when: two devices hold the IP", "Resolves when:");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aGeneralTopicIsItsReadmeSection() {
    Cli.Result r = cli.run("help", "silences");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("## Silences").contains("labwatch silence add");
  }

  @Test
  void anUnknownTopicIsOneLineWithAGuessAndExitTwo() {
    Cli.Result r = cli.run("help", "ip-conflct");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: no help topic or command 'ip-conflct' (did you mean: labwatch help"
                + " IP_CONFLICT?); labwatch help lists them");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aCommandsHelpIsStillItsUsage() {
    Cli.Result sensor = cli.run("help", "sensor");
    assertThat(sensor.exitCode()).isZero();
    assertThat(sensor.out()).contains("Usage: labwatch sensor");
    Cli.Result arp = cli.run("help", "sensor", "arp");
    assertThat(arp.exitCode()).isZero();
    assertThat(arp.out()).isEqualTo(cli.run("sensor", "arp", "--help").out());
    assertThat(cli.run("help", "silence").out()).contains("Usage: labwatch silence");
  }
}
