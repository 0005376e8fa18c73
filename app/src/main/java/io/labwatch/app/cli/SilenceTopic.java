package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.Silence;
import io.labwatch.events.Topic;
import io.labwatch.producers.arp.Interfaces;
import io.labwatch.sinks.AlertText;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** What the {@code labwatch silence} commands share: the topic, and how a silence is shown. */
final class SilenceTopic {

  private static final String ROW = "%-8s  %-28s  %-20s  %-16s  %-20s  %s%n";

  private SilenceTopic() {}

  /**
   * The silences topic, once Kafka answers; created where missing (a broker that an older labwatch
   * set up has none).
   */
  static Topic<String, Silence> ensure(LabwatchConfig config) {
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      new TopicManager(admin)
          .ensure(List.of(config.catalogue().silences()), config.topics().replicationFactor());
    }
    return config.catalogue().silences();
  }

  /**
   * Who is at the keyboard, {@code user@host}: the user who ran sudo, if it was sudo, as an
   * Alertmanager silence's "created by" names a person rather than root.
   */
  static String who(Map<String, String> env) {
    String user = env.get("SUDO_USER");
    if (user == null || user.isBlank()) {
      user = env.get("USER");
    }
    if (user == null || user.isBlank()) {
      user = System.getProperty("user.name", "unknown");
    }
    return user + "@" + Interfaces.hostName();
  }

  static void header(PrintWriter out) {
    out.printf(ROW, "ID", "MATCHER", "ENDS", "LEFT", "BY", "REASON");
  }

  /** One silence as a row of {@code labwatch silence list}. */
  static void row(PrintWriter out, Silence s, Instant now) {
    out.printf(
        ROW,
        s.id(),
        s.matcher(),
        AlertText.time(s.endsAt()),
        left(s, now),
        s.createdBy(),
        s.reason());
  }

  /** "1 h 59 min", "ended 5 min ago", or "from 14:00Z" for one that has not begun. */
  static String left(Silence s, Instant now) {
    if (!s.endsAt().isAfter(now)) {
      return "ended " + AlertText.duration(Duration.between(s.endsAt(), now)) + " ago";
    }
    if (s.startsAt().isAfter(now)) {
      return "from " + AlertText.time(s.startsAt());
    }
    return AlertText.duration(Duration.between(now, s.endsAt()));
  }
}
