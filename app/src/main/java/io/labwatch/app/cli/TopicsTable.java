package io.labwatch.app.cli;

import io.labwatch.app.config.Durations;
import io.labwatch.app.kafka.TopicManager;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Prints topic states as a table, and their drifts from the catalogue as warnings. */
final class TopicsTable {

  private TopicsTable() {}

  static void print(List<TopicManager.TopicState> states, PrintWriter out) {
    int width =
        Math.max(5, states.stream().mapToInt(s -> s.topic().name().length()).max().orElse(5));
    String format = "%-" + width + "s  %10s  %8s  %10s  %9s  %-14s  %s%n";
    out.printf(
        format,
        "TOPIC",
        "PARTITIONS",
        "REPLICAS",
        "MIN.INSYNC",
        "RETENTION",
        "CLEANUP",
        "END OFFSETS");
    for (TopicManager.TopicState s : states) {
      String ends =
          s.endOffsets().entrySet().stream()
              .map(e -> e.getKey() + ":" + e.getValue())
              .collect(Collectors.joining(" "));
      out.printf(
          format,
          s.topic().name(),
          s.partitions(),
          s.replicas(),
          s.configs().getOrDefault("min.insync.replicas", "?"),
          retention(s.configs().get("retention.ms")),
          s.configs().get("cleanup.policy"),
          ends + (s.createdNow() ? "  (created now)" : ""));
    }
    out.println(
        "(END OFFSETS: the next offset of each partition; a topic written in transactions counts"
            + " each commit's marker too, so it runs ahead of its records)");
  }

  /** Prints one warning per drifted setting; returns how many. */
  static int warnDrifts(List<TopicManager.TopicState> states, PrintWriter err, boolean fixHint) {
    int n = 0;
    for (TopicManager.TopicState s : states) {
      for (TopicManager.Drift d : s.drifts()) {
        n++;
        String hint =
            !d.fixable()
                ? " — labwatch leaves partition counts alone (changing them moves keys)"
                : !fixHint
                    ? ""
                    : d.setting().equals(TopicManager.REPLICAS)
                        ? " — `labwatch topics --fix` adds replicas (Kafka copies the partitions)"
                        : " — `labwatch topics --fix` sets it";
        err.printf("warning: %s: %s%s%n", s.topic().name(), d, hint);
      }
    }
    return n;
  }

  private static String retention(String ms) {
    try {
      long value = Long.parseLong(ms);
      return value < 0 ? "forever" : Durations.format(Duration.ofMillis(value));
    } catch (NumberFormatException e) {
      return String.valueOf(ms);
    }
  }
}
