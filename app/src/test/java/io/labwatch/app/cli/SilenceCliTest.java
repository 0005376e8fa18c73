package io.labwatch.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.app.testing.Cli;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code labwatch silence add} refuses what cannot be a silence before it looks for Kafka: one
 * line, exit status 2 (no broker runs in these tests; a line about Kafka would mean it got that
 * far).
 */
class SilenceCliTest {

  // nothing listens there: were the command to reach for Kafka, it would say so, with status 1
  private final Cli cli = new Cli().env("LABWATCH_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");

  @Test
  void anUnknownKindIsOneLineWithAGuessAndTheKinds() {
    Cli.Result r =
        cli.run("silence", "add", "IP_CONFLCT:10.77.0.10", "--for", "2h", "--reason", "x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith(
            "labwatch: error: 'IP_CONFLCT' is not an alert kind of labwatch (did you mean IP_CONFLICT?); the kinds: ")
        .contains("ADDRESS_SPOOF", "IP_CONFLICT", "SENSOR_SILENT", "SERVICE_UNREACHABLE");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aSilenceWithNothingToMatchIsOneLineSayingHowToSayIt() {
    Cli.Result r = cli.run("silence", "add", "--for", "2h", "--reason", "x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: a silence needs something to match: KIND:SUBJECT (e.g."
                + " IP_CONFLICT:10.77.0.10), --kind KIND or --subject SUBJECT");
    assertThat(cli.run("silence", "add", "*:*", "--for", "2h", "--reason", "x").errLines())
        .singleElement()
        .asString()
        .contains("a silence needs something to match");
  }

  @Test
  void aBadDurationIsOneLineAsElsewhere() {
    Cli.Result r =
        cli.run("silence", "add", "--kind", "LOAD_SPIKE", "--for", "2 hours", "--reason", "x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "labwatch: error: --for: not a duration: '2 hours' (write e.g. 500ms, 10s, 5m, 1h30m,"
                + " 30d)");
    Cli.Result zero =
        cli.run("silence", "add", "--kind", "LOAD_SPIKE", "--for", "0s", "--reason", "x");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.errLines()).singleElement().asString().contains("longer than 0");
  }

  @Test
  void aMatcherAndItsOptionsTogetherOrAMatcherWithoutAColonAreOneLine() {
    Cli.Result both =
        cli.run(
            "silence",
            "add",
            "IP_CONFLICT:10.77.0.10",
            "--kind",
            "IP_CONFLICT",
            "--for",
            "2h",
            "--reason",
            "x");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.errLines()).singleElement().asString().contains("not both");
    Cli.Result kindAlone = cli.run("silence", "add", "LOAD_SPIKE", "--for", "2h", "--reason", "x");
    assertThat(kindAlone.exitCode()).isEqualTo(2);
    assertThat(kindAlone.errLines())
        .containsExactly(
            "labwatch: error: 'LOAD_SPIKE' is not KIND:SUBJECT (e.g. IP_CONFLICT:10.77.0.10;"
                + " --kind LOAD_SPIKE alone matches any subject)");
  }

  @Test
  void aMatcherIsReadAsTheAlertsHaveIt() {
    assertThat(SilenceMatch.parse("ip_conflict:fd00:77:0:0::10", null, null))
        .isEqualTo(new SilenceMatch("IP_CONFLICT", "fd00:77::10"));
    assertThat(SilenceMatch.parse("*:yamato/ssh", null, null))
        .isEqualTo(new SilenceMatch(null, "yamato/ssh"));
    assertThat(SilenceMatch.parse("LINK_DOWN:*", null, null))
        .isEqualTo(new SilenceMatch("LINK_DOWN", null));
    assertThat(SilenceMatch.parse(null, "load_spike", "yamato"))
        .isEqualTo(new SilenceMatch("LOAD_SPIKE", "yamato"));
    assertThat(SilenceMatch.parse(null, null, "10.77.0.10").toString()).isEqualTo("*:10.77.0.10");
    assertThat(SilenceMatch.duration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThatThrownBy(() -> SilenceMatch.duration("-1h")).isInstanceOf(UsageException.class);
  }

  @Test
  void expiringNeedsAnIdAndHelpExplains() {
    Cli.Result r = cli.run("silence", "expire");
    assertThat(r.exitCode()).isEqualTo(2);
    Cli.Result help = cli.run("silence", "add", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("Usage: labwatch silence add", "KIND:SUBJECT", "--for", "--reason", "--kind")
        .contains("Exit codes:");
    assertThat(cli.run("silence", "--help").out())
        .contains("add", "list", "expire", "labwatch_alert_silenced");
  }
}
