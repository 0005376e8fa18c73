package io.labwatch.app.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.HelpTopics;
import io.labwatch.producers.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/prometheus as a lab's Prometheus will load it, checked by Prometheus' own promtool. */
class PrometheusDeployFilesTest {

  static final Path PROMETHEUS = Path.of("..", "deploy", "prometheus");

  @TempDir Path dir;

  private static String promtool(Path workDir, String... args)
      throws IOException, InterruptedException {
    Requirements.command("promtool", "prometheus");
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void theAlertingRulesAreValid() throws Exception {
    assertThat(promtool(PROMETHEUS, "check", "rules", "labwatch-rules.yml"))
        .contains("SUCCESS: 12 rules found");
  }

  @Test
  void theRulesTestsPassIncludingTheIpConflictAndArpPoisoningRules() throws Exception {
    assertThat(Files.readString(PROMETHEUS.resolve("labwatch-rules.test.yml")))
        .contains(
            "alertname: LabwatchIpConflict",
            "alertname: LabwatchArpPoisoning",
            "alertname: LabwatchSensorSilent",
            "alertname: LabwatchHostSensorSilent",
            "alertname: LabwatchPartDown",
            "alertname: LabwatchDeadLetters");
    assertThat(promtool(PROMETHEUS, "test", "rules", "labwatch-rules.test.yml"))
        .contains("SUCCESS");
  }

  @Test
  void everyRuleLinksItsRunbookOnTheExporterAndEveryLinkIsAHelpTopic() throws Exception {
    String rules = Files.readString(PROMETHEUS.resolve("labwatch-rules.yml"));
    Matcher link =
        Pattern.compile("runbook_url: \"http://\\{\\{ \\$labels\\.instance }}/help/([^\"]+)\"")
            .matcher(rules);
    List<String> topics = new ArrayList<>();
    while (link.find()) {
      topics.add(link.group(1));
    }
    assertThat(topics).hasSize(rules.split("\n\\s*- alert: ", -1).length - 1);
    assertThat(topics)
        .allSatisfy(
            t ->
                assertThat(t.equals("{{ $labels.kind }}") || HelpTopics.topic(t).isPresent())
                    .as("/help/%s is a help topic", t)
                    .isTrue());
  }

  @Test
  void theScrapeSnippetMakesAValidConfig() throws Exception {
    Files.copy(PROMETHEUS.resolve("labwatch-rules.yml"), dir.resolve("labwatch-rules.yml"));
    Files.writeString(
        dir.resolve("prometheus.yml"),
        "global:\n  scrape_interval: 15s\n"
            + Files.readString(PROMETHEUS.resolve("scrape-labwatch.yml")));
    assertThat(promtool(dir, "check", "config", "prometheus.yml"))
        .contains("is valid prometheus config file syntax");
  }
}
