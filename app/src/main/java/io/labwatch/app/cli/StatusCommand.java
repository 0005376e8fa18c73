package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.events.Alert;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.Silence;
import io.labwatch.sinks.AlertText;
import io.labwatch.sinks.ConsumerLag;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.MetricsFeed;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch status}: a quick look at a running labwatch, from its broker. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "A quick look at a running labwatch, read from its broker (127.0.0.1:9092, or"
          + " --bootstrap-servers): each sensor and its last heartbeat, the incidents firing now,"
          + " the silences in force, and how far the detection and the sinks are behind. Exits 0"
          + " when all is well, 3 when something needs a look: an incident fires that no silence"
          + " covers, a sensor is silent or reports a problem, or no sensor has been heard from."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.ALL_WELL, ExitCodes.FAILED, ExitCodes.USAGE, ExitCodes.NEEDS_A_LOOK})
final class StatusCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    // connects first, so that an absent broker is one clear line
    KafkaAccess.connectedAdmin(config.kafkaClientProperties()).close();
    LabwatchMetrics state = new LabwatchMetrics(new Health());
    MetricsFeed.readOnce(config.catalogue(), config.kafkaClientProperties(), state);
    Map<String, String> groups = Pipeline.lagGroups(config);
    Map<String, Integer> members;
    List<ConsumerLag.Instance> detectors;
    try (ConsumerLag lag = new ConsumerLag(config.kafkaClientProperties(), "labwatch-status")) {
      detectors = groups.containsKey("detect") ? lag.instances(groups.get("detect")) : List.of();
      lag.read(groups).forEach(state::lag);
      // a consumer that has committed nothing may still be running: one that just started (the
      // detection commits only what it processed), on a network quiet so far
      Map<String, String> uncommitted = new LinkedHashMap<>(groups);
      uncommitted.keySet().removeAll(state.lag().keySet());
      members = lag.members(uncommitted);
    }
    Instant now = Instant.now();
    Duration silentAfter =
        config
            .sensor()
            .arp()
            .heartbeatInterval()
            .multipliedBy(config.detection().silentHeartbeats());
    PrintWriter out = ctx.out();
    boolean attention = false;

    out.printf("labwatch at %s%n", config.bootstrapServers());
    Map<String, Heartbeat> sensors = state.heartbeats();
    out.printf(
        "%nsensors (heard from in the last %d min)%n", MetricsFeed.HEARTBEAT_LOOKBACK.toMinutes());
    if (sensors.isEmpty()) {
      out.println("  none — is a sensor running? (labwatch run, or labwatch sensor arp)");
      attention = true;
    }
    for (Heartbeat h : sensors.values()) {
      attention |=
          sensorLine(
              out,
              h,
              now,
              silentAfter,
              String.format(
                  "%,d packets, %,d dropped",
                  h.capture().received(),
                  h.capture().dropped() + h.capture().droppedByInterface()));
    }

    Map<String, Heartbeat> hosts = state.hostHeartbeats();
    if (!hosts.isEmpty()) {
      out.printf(
          "%nhost sensors (heard from in the last %d min)%n",
          MetricsFeed.HEARTBEAT_LOOKBACK.toMinutes());
    }
    for (Heartbeat h : hosts.values()) {
      // silent after as many of its own heartbeat intervals as a capture sensor
      Duration hostSilentAfter =
          Duration.ofMillis(h.intervalMs()).multipliedBy(config.detection().silentHeartbeats());
      attention |=
          sensorLine(
              out, h, now, hostSilentAfter, String.format("%,d samples", h.capture().received()));
    }

    List<Alert> firing = state.firing();
    out.printf("%nincidents firing: %d%n", firing.size());
    boolean unsilenced = false;
    for (Alert a : firing) {
      Optional<Silence> silence = state.silencedBy(a);
      unsilenced |= silence.isEmpty();
      out.printf(
          "  %-8s %-24s since %s (%s)%s: %s%n",
          a.severity(),
          a.kind(),
          AlertText.time(a.startedAt()),
          AlertText.duration(Duration.between(a.startedAt(), now)),
          silence.map(s -> " SILENCED by " + s.id()).orElse(""),
          a.summary());
    }
    if (!firing.isEmpty()) {
      out.printf(
          "  the story of one, as a page: labwatch report %s%n", firing.get(0).fingerprint());
    }
    // a silenced incident is one somebody has seen to
    attention |= unsilenced;

    List<Silence> silences = state.activeSilences();
    if (!silences.isEmpty()) {
      out.printf(
          "%nsilences in force: %d (Slack is quiet about what they match)%n", silences.size());
    }
    for (Silence s : silences) {
      out.printf(
          "  %-8s %-28s %s left (until %s), by %s: %s%n",
          s.id(),
          s.matcher(),
          AlertText.duration(Duration.between(now, s.endsAt())),
          AlertText.time(s.endsAt()),
          s.createdBy(),
          s.reason());
    }

    if (!detectors.isEmpty()) {
      out.printf(
          "%ndetection instances (%d, application %s)%n", detectors.size(), groups.get("detect"));
      for (ConsumerLag.Instance i : detectors) {
        out.printf("  %-36s %-15s %s%n", i.name(), i.host(), partitions(i));
      }
    }

    out.printf("%nlag (records not yet read)%n");
    Map<String, Map<String, Long>> lag = state.lag();
    lag.remove("prometheus"); // this command's own reading
    boolean any = false;
    String row = lagRow(lag.values());
    for (String consumer : groups.keySet()) {
      if (lag.containsKey(consumer)) {
        lag.get(consumer).forEach((topic, n) -> out.printf(row, consumer, topic, n));
        any = true;
      } else if (members.getOrDefault(consumer, 0) > 0) {
        out.printf("  %-10s running; nothing processed yet%n", consumer);
        any = true;
      }
    }
    if (!any) {
      out.println("  no consumer has committed yet — is labwatch running against this broker?");
    }
    out.flush();
    return attention ? ExitCodes.ATTENTION : ExitCode.OK;
  }

  /** An instance's partitions: {@code labwatch.arp 0,2; labwatch.host 1}, or that it has none. */
  static String partitions(ConsumerLag.Instance i) {
    if (i.partitions().isEmpty()) {
      return "no partitions (more instances than partitions, or joining)";
    }
    return i.partitions().entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + " "
                    + e.getValue().stream().map(String::valueOf).collect(Collectors.joining(",")))
        .collect(Collectors.joining("; "));
  }

  /**
   * The format of a lag row (consumer, topic, records): the widest topic sets the column, since
   * Kafka Streams' internal topics are long ({@code labwatch-detect-health-by-ip-repartition}).
   */
  static String lagRow(Collection<Map<String, Long>> lag) {
    int width =
        lag.stream().flatMap(m -> m.keySet().stream()).mapToInt(String::length).max().orElse(0);
    return "  %-10s %-" + Math.max(30, width) + "s %,d%n";
  }

  /**
   * One sensor's line: ok, SILENT (no heartbeat for {@code silentAfter}) or PROBLEM, its last
   * heartbeat's age and {@code counts}; whether it needs attention.
   */
  private static boolean sensorLine(
      PrintWriter out, Heartbeat h, Instant now, Duration silentAfter, String counts) {
    Duration age = Duration.between(h.eventTime(), now);
    boolean silent = age.compareTo(silentAfter) > 0;
    out.printf(
        "  %-24s %-8s last heartbeat %s ago; %s%s%n",
        h.sensorId(),
        silent ? "SILENT" : h.problem() != null ? "PROBLEM" : "ok",
        AlertText.duration(age),
        counts,
        h.problem() == null ? "" : " — " + h.problem());
    return silent || h.problem() != null;
  }
}
