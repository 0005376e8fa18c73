package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.app.testing.Cli;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliHelpTest {

  private static final String SECRET = "password=\"hunter2\"";

  private final Cli cli =
      new Cli()
          .env("LABWATCH_KAFKA_SASL_JAAS_CONFIG", "ScramLoginModule required " + SECRET + ";")
          .env("LABWATCH_KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9093");

  @ParameterizedTest
  @ValueSource(strings = {"run", "broker", "topics", "tail"})
  void everySubcommandExplainsItselfWithoutShowingSecrets(String command) {
    Cli.Result help = cli.run(command, "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: labwatch " + command).contains("--config");
    assertThat(help.out() + help.err()).doesNotContain("hunter2");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "run",
        "broker",
        "topics",
        "tail",
        "sensor arp",
        "sensor snmp",
        "sensor host",
        "detect",
        "analyze",
        "inventory",
        "sink slack",
        "sink prometheus",
        "status",
        "silence add",
        "silence list",
        "silence expire"
      })
  void everySubcommandsHelpListsItsExitCodes(String command) {
    Cli.Result help = cli.run((command + " --help").split(" "));
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("Exit codes:")
        .containsPattern("(?m)^  0 +\\S")
        .containsPattern("(?m)^  1 +failed")
        .containsPattern("(?m)^  2 +bad usage or configuration");
  }

  @Test
  void statusDocumentsThatSomethingNeedsALook() {
    Cli.Result help = cli.run("status", "--help");
    assertThat(help.out())
        .containsPattern("(?m)^  0 +all is well")
        .containsPattern("(?m)^  3 +something needs a look: an incident fires");
  }

  @Test
  void theTopLevelHelpListsTheExitCodes() {
    Cli.Result help = cli.run("--help");
    assertThat(help.out())
        .contains("Exit codes:")
        .containsPattern("(?m)^  2 +bad usage or configuration")
        .containsPattern("(?m)^  3 +labwatch status: something needs a look")
        .containsPattern("(?m)^  130 +stopped by Ctrl-C");
  }

  @Test
  void theTopLevelHelpListsTheSubcommands() {
    Cli.Result help = cli.run("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("run", "broker", "topics", "tail", "LABWATCH_");
  }

  @Test
  void aMistypedSubcommandGetsOneErrorAndASuggestion() {
    Cli.Result r = cli.run("tial");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("labwatch: error: 'tial' is not a command of labwatch")
        .contains("Did you mean: labwatch tail?");
  }

  @Test
  void helpNeverSplitsAPathAnAddressOrAKeyOverTwoLines() {
    for (String[] command :
        List.of(
            new String[] {"run", "--help"},
            new String[] {"tail", "--help"},
            new String[] {"sensor", "arp", "--help"},
            new String[] {"sink", "prometheus", "--help"})) {
      String help = cli.run(command).out();
      // (seen: "~/." + "local/share/labwatch", "0.0.0.0:" + "9464", "." + "/labwatch.yml")
      assertThat(help)
          .as(String.join(" ", command))
          .contains("./labwatch.yml", "kafka.bootstrap.servers")
          .doesNotContainPattern("[\uE000-\uE0FF]");
      List<String> lines = help.lines().toList();
      for (int i = 0; i + 1 < lines.size(); i++) {
        // a line ending in a value's punctuation, the next going on with the rest of it
        String last = lines.get(i).substring(lines.get(i).lastIndexOf(' ') + 1);
        boolean split =
            last.matches(".*[./~:].*[./~]|[./~]+|.*[0-9.]:")
                && lines.get(i + 1).trim().matches("^[a-z0-9/~.].*");
        assertThat(split)
            .as("%s: %s|%s", List.of(command), lines.get(i), lines.get(i + 1))
            .isFalse();
      }
    }
  }

  @Test
  void runsHelpShowsItsDefaultsWhole() {
    assertThat(cli.run("run", "--help").out())
        .contains("~/.local/share/labwatch", "0.0.0.0:9464", "(127.0.0.1:9092)");
  }

  @Test
  void aMistypedSubcommandWithHelpIsStillAnErrorNotTheTopLevelHelp() {
    Cli.Result r = cli.run("silense", "--help");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("'silense' is not a command of labwatch", "labwatch --help");
    Cli.Result nested = cli.run("sensor", "arpp", "--help");
    assertThat(nested.exitCode()).isEqualTo(2);
    assertThat(nested.err()).contains("Did you mean: labwatch sensor arp?");
    // a known command's help is unchanged
    assertThat(cli.run("sensor", "arp", "--help").exitCode()).isZero();
  }

  @Test
  void tailNeedsATopic() {
    Cli.Result r = cli.run("tail");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'TOPIC'");
  }

  @Test
  void fromBeginningAndSinceExcludeEachOther() {
    Cli.Result r = cli.run("tail", "alerts", "--from-beginning", "--since", "10m");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("mutually exclusive");
  }

  @Test
  void theVersionIsPrinted() {
    Cli.Result r = cli.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("labwatch ");
  }
}
