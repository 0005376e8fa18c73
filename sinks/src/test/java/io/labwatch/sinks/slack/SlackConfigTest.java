package io.labwatch.sinks.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.Severity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What goes to Slack, where, and what is never shown. */
class SlackConfigTest {

  static SlackConfig bot(
      Severity min, List<String> include, List<String> exclude, Map<String, String> channels) {
    return new SlackConfig(
        null,
        "xoxb-1234-secret",
        "#lab",
        channels,
        min,
        include,
        exclude,
        10,
        3,
        null,
        Duration.ofSeconds(5),
        null);
  }

  @Test
  void byDefaultWarningsAndAboveGoAndInfoStaysOut() {
    SlackConfig c = bot(null, List.of(), List.of(), Map.of());
    assertThat(c.minSeverity()).isEqualTo(Severity.WARNING);
    assertThat(c.wants("IP_CONFLICT", Severity.CRITICAL)).isTrue();
    assertThat(c.wants("MAC_CHANGED", Severity.WARNING)).isTrue();
    assertThat(c.wants("NEW_STATION", Severity.INFO)).isFalse();
  }

  @Test
  void includeAndExcludeKindsAreCaseInsensitiveAndExcludeWins() {
    SlackConfig only =
        bot(Severity.INFO, List.of("ip_conflict", "NEW_STATION"), List.of("new_station"), Map.of());
    assertThat(only.wants("IP_CONFLICT", Severity.CRITICAL)).isTrue();
    assertThat(only.wants("NEW_STATION", Severity.INFO)).isFalse();
    assertThat(only.wants("ADDRESS_SPOOF", Severity.CRITICAL)).isFalse();
    SlackConfig but = bot(Severity.INFO, List.of(), List.of("SENSOR_SILENT"), Map.of());
    assertThat(but.wants("NEW_STATION", Severity.INFO)).isTrue();
    assertThat(but.wants("SENSOR_SILENT", Severity.WARNING)).isFalse();
  }

  @Test
  void aKindMayHaveItsOwnChannelTheRestGoToTheDefault() {
    SlackConfig c = bot(null, List.of(), List.of(), Map.of("SENSOR_SILENT", "#labwatch-ops"));
    assertThat(c.channelFor("SENSOR_SILENT")).isEqualTo("#labwatch-ops");
    assertThat(c.channelFor("IP_CONFLICT")).isEqualTo("#lab");
  }

  @Test
  void theWebhookAndTheTokenNeverShow() {
    SlackConfig hook =
        new SlackConfig(
            "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX",
            null,
            null,
            Map.of(),
            null,
            List.of(),
            List.of(),
            10,
            3,
            null,
            null,
            null);
    assertThat(hook.toString())
        .contains("https://hooks.slack.com/…")
        .doesNotContain("XXXXsecretXXXX")
        .doesNotContain("T000");
    assertThat(bot(null, List.of(), List.of(), Map.of()).toString())
        .doesNotContain("1234-secret")
        .contains("[secret]");
    assertThat(SlackConfig.redact("not a url at all ::")).doesNotContain("url at all");
  }

  @Test
  void contradictionsAndNonsenseAreRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                new SlackConfig(
                    "https://hooks.slack.com/services/x",
                    "xoxb-x",
                    "#lab",
                    Map.of(),
                    null,
                    List.of(),
                    List.of(),
                    10,
                    3,
                    null,
                    null,
                    null))
        .hasMessageStartingWith("webhookUrl: set either webhookUrl or botToken");
    assertThatThrownBy(
            () ->
                new SlackConfig(
                    null, "xoxb-x", null, Map.of(), null, List.of(), List.of(), 10, 3, null, null,
                    null))
        .hasMessage("channel: a bot token needs a channel to post to");
    assertThatThrownBy(
            () ->
                new SlackConfig(
                    "https://hooks.slack.com/services/x",
                    null,
                    null,
                    Map.of(),
                    null,
                    List.of(),
                    List.of(),
                    0,
                    3,
                    null,
                    null,
                    null))
        .hasMessage("digestThreshold: must be at least 1, got 0");
    // a webhook pasted without its scheme: said so, the secret path not shown
    assertThatThrownBy(
            () ->
                new SlackConfig(
                    "hooks.slack.com/services/T0/B0/secretpart",
                    null,
                    null,
                    Map.of(),
                    null,
                    List.of(),
                    List.of(),
                    10,
                    3,
                    null,
                    null,
                    null))
        .hasMessage("webhookUrl: a URL must start with https:// (this one has no scheme)");
  }
}
