package io.labwatch.sinks.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.Evidence;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Severity;
import io.labwatch.events.Silence;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.SlackCounts;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What /metrics says, for what the topics carry. */
class LabwatchMetricsTest {

  static final Instant T0 = Instant.parse("2026-11-25T14:02:11Z");

  private final Health health = new Health();
  private final LabwatchMetrics metrics = new LabwatchMetrics(health);

  static Alert conflict(String ip, Instant at) {
    return Alert.firing(
        "IP_CONFLICT", ip, Severity.CRITICAL, "IP conflict on " + ip, Evidence.NONE, Map.of(), at);
  }

  /** The labwatch_ lines of a real scrape, over HTTP, in the Prometheus text format. */
  private List<String> scrape() throws Exception {
    return scrape(metrics);
  }

  private static List<String> scrape(LabwatchMetrics metrics) throws Exception {
    try (HTTPServer server =
        HTTPServer.builder()
            .hostname("127.0.0.1")
            .port(0)
            .registry(metrics.registry())
            .buildAndStart()) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.getPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body().lines().filter(l -> l.startsWith("labwatch_")).toList();
    }
  }

  @Test
  void aFiringIncidentIsOneSeriesUntilItResolves() throws Exception {
    Alert firing = conflict("10.77.0.10", T0);
    metrics.alert(firing.fingerprint(), firing, true);
    Alert update =
        firing.updated("IP conflict on 10.77.0.10, 9 flips", Evidence.NONE, T0.plusSeconds(300));
    metrics.alert(update.fingerprint(), update, true);
    assertThat(scrape())
        .contains(
            "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.10\"} 1.0",
            "labwatch_alerts_total{kind=\"IP_CONFLICT\",severity=\"critical\",state=\"firing\"} 2.0");
    assertThat(metrics.firingCount()).isEqualTo(1);

    metrics.alert(firing.fingerprint(), update.resolved("resolved", T0.plusSeconds(900)), true);
    assertThat(scrape())
        .noneMatch(l -> l.startsWith("labwatch_alert_firing"))
        .contains(
            "labwatch_alerts_total{kind=\"IP_CONFLICT\",severity=\"critical\",state=\"resolved\"} 1.0");
    assertThat(metrics.firingCount()).isZero();
  }

  @Test
  void aSilencedIncidentStillFiresAndIsMarkedSilencedUntilTheSilenceEnds() throws Exception {
    Instant[] now = {T0.plusSeconds(60)};
    LabwatchMetrics m =
        new LabwatchMetrics(
            health,
            new java.time.Clock() {
              @Override
              public Instant instant() {
                return now[0];
              }

              @Override
              public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
              }

              @Override
              public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
              }
            });
    Alert silenced = conflict("10.77.0.10", T0);
    Alert loud = conflict("10.77.0.11", T0);
    m.alert(silenced.fingerprint(), silenced, true);
    m.alert(loud.fingerprint(), loud, true);
    Silence s =
        new Silence(
            "3f9a1c2e", "IP_CONFLICT", "10.77.0.10", T0, T0.plusSeconds(3600), "swap", "tom@lab");
    m.silence(s.id(), s);

    assertThat(scrape(m))
        .contains(
            "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.10\"} 1.0",
            "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.11\"} 1.0",
            "labwatch_alert_silenced{kind=\"IP_CONFLICT\",subject=\"10.77.0.10\"} 1.0")
        .noneMatch(
            l ->
                l.startsWith(
                    "labwatch_alert_silenced{kind=\"IP_CONFLICT\",subject=\"10.77.0.11\"}"));
    assertThat(m.activeSilences()).containsExactly(s);
    assertThat(m.silencedBy(silenced)).contains(s);
    assertThat(m.silencedBy(loud)).isEmpty();

    now[0] = T0.plusSeconds(3600); // its end
    assertThat(scrape(m))
        .noneMatch(l -> l.startsWith("labwatch_alert_silenced{"))
        .contains(
            "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.10\"} 1.0");
    assertThat(m.activeSilences()).isEmpty();

    now[0] = T0.plusSeconds(60);
    m.silence(s.id(), null); // a tombstone
    assertThat(scrape(m)).noneMatch(l -> l.startsWith("labwatch_alert_silenced{"));
  }

  @Test
  void historyRebuildsTheFiringSetWithoutCountingAndATombstoneRemoves() throws Exception {
    Alert a = conflict("10.77.0.1", T0);
    Alert b = conflict("10.77.0.2", T0);
    metrics.alert(a.fingerprint(), a, false);
    metrics.alert(b.fingerprint(), b, false);
    metrics.alert(b.fingerprint(), null, false); // compaction's delete marker
    assertThat(scrape())
        .contains(
            "labwatch_alert_firing{kind=\"IP_CONFLICT\",severity=\"critical\",subject=\"10.77.0.1\"} 1.0")
        .noneMatch(l -> l.contains("10.77.0.2"))
        .filteredOn(l -> l.startsWith("labwatch_alerts_total"))
        .allMatch(l -> l.endsWith(" 0.0"));
  }

  @Test
  void eventsAreCountedButNeverFire() throws Exception {
    Alert changed =
        Alert.event(
            "MAC_CHANGED",
            "10.77.0.5",
            Severity.WARNING,
            "10.77.0.5 moved",
            Evidence.NONE,
            Map.of(),
            T0);
    metrics.alert(changed.fingerprint(), changed, true);
    assertThat(scrape())
        .noneMatch(l -> l.startsWith("labwatch_alert_firing"))
        .contains(
            "labwatch_alerts_total{kind=\"MAC_CHANGED\",severity=\"warning\",state=\"resolved\"} 1.0");
  }

  @Test
  void sensorsObservationsHeartbeatsAndDrops() throws Exception {
    var o =
        new ArpObservation(
            T0,
            "lab-sw1",
            "eth0",
            null,
            PacketClass.REPLY,
            IpAddress.of("10.77.0.10"),
            MacAddress.of("00:a0:de:0a:00:10"),
            IpAddress.of("10.77.0.1"),
            MacAddress.of("00:11:22:33:44:55"),
            MacAddress.of("00:a0:de:0a:00:10"));
    metrics.observation(o);
    metrics.observation(o);
    metrics.heartbeat(
        new Heartbeat(T0.plusSeconds(10), "lab-sw1", 10_000, new Heartbeat.Capture(100, 3, 2)));
    // an older heartbeat (another partition's copy, late) does not go back in time
    metrics.heartbeat(new Heartbeat(T0, "lab-sw1", 10_000, new Heartbeat.Capture(90, 1, 0)));
    metrics.heartbeat(
        new Heartbeat(
            T0.plusSeconds(10), "lab-sw2", 10_000, new Heartbeat.Capture(0, 0, 0), "eth1 is down"));
    assertThat(scrape())
        .contains(
            "labwatch_arp_observations_total{class=\"reply\",sensor=\"lab-sw1\"} 2.0",
            "labwatch_sensor_packets_received_total{sensor=\"lab-sw1\"} 100.0",
            "labwatch_sensor_packets_dropped_total{sensor=\"lab-sw1\"} 5.0",
            "labwatch_sensor_last_heartbeat_timestamp_seconds{sensor=\"lab-sw1\"} "
                + (double) T0.plusSeconds(10).getEpochSecond(),
            "labwatch_sensor_capturing{sensor=\"lab-sw1\"} 1.0",
            "labwatch_sensor_capturing{sensor=\"lab-sw2\"} 0.0");
    // a host sensor's heartbeats (labwatch.host) have series of their own
    metrics.hostHeartbeat(
        new Heartbeat(T0.plusSeconds(20), "yamato", 10_000, new Heartbeat.Capture(6, 0, 0)));
    metrics.hostHeartbeat(
        new Heartbeat(
            T0.plusSeconds(20),
            "labbox",
            10_000,
            new Heartbeat.Capture(6, 0, 0),
            "probe icmp://10.77.0.10 stopped: no ICMP here"));
    assertThat(scrape())
        .contains(
            "labwatch_host_sensor_last_heartbeat_timestamp_seconds{host=\"yamato\"} "
                + (double) T0.plusSeconds(20).getEpochSecond(),
            "labwatch_host_sensor_ok{host=\"yamato\"} 1.0",
            "labwatch_host_sensor_ok{host=\"labbox\"} 0.0")
        .doesNotContain("labwatch_sensor_last_heartbeat_timestamp_seconds{sensor=\"yamato\"}");
  }

  @Test
  void buildInfoSaysTheVersionAndTheJava() throws Exception {
    assertThat(scrape())
        .contains(
            "labwatch_build_info{java_version=\""
                + System.getProperty("java.version")
                + "\",version=\"dev\"} 1");
  }

  @Test
  void everyCounterThatCanBeKnownBeforehandStartsAtZero() throws Exception {
    metrics.decodes("labwatch.alerts", "labwatch.arp");
    // a sensor is known from its first heartbeat: its observations start at 0, every class
    metrics.heartbeat(new Heartbeat(T0, "lab-sw1", 10_000, new Heartbeat.Capture(0, 0, 0)));
    metrics.slack(
        new SlackCounts() {
          @Override
          public long delivered() {
            return 0;
          }

          @Override
          public long deadLettered() {
            return 0;
          }

          @Override
          public long retries() {
            return 0;
          }

          @Override
          public long digests() {
            return 0;
          }
        });
    List<String> lines = scrape();
    assertThat(lines)
        .contains(
            "labwatch_dead_letters_total{component=\"detect\",reason=\"undecodable\"} 0.0",
            "labwatch_dead_letters_total{component=\"sink.slack\",reason=\"undecodable\"} 0.0",
            "labwatch_dead_letters_total{component=\"sink.slack\",reason=\"invalid_payload\"} 0.0",
            "labwatch_alerts_total{kind=\"IP_CONFLICT\",severity=\"critical\",state=\"firing\"} 0.0",
            "labwatch_alerts_total{kind=\"IP_CONFLICT\",severity=\"critical\",state=\"resolved\"} 0.0",
            "labwatch_alerts_total{kind=\"LOAD_SPIKE\",severity=\"warning\",state=\"firing\"} 0.0",
            "labwatch_alerts_total{kind=\"LOAD_SPIKE\",severity=\"critical\",state=\"firing\"} 0.0",
            "labwatch_alerts_total{kind=\"MAC_CHANGED\",severity=\"warning\",state=\"resolved\"} 0.0",
            "labwatch_arp_observations_total{class=\"reply\",sensor=\"lab-sw1\"} 0.0",
            "labwatch_arp_observations_total{class=\"router_table\",sensor=\"lab-sw1\"} 0.0",
            "labwatch_metrics_undecodable_records_total{topic=\"labwatch.arp\"} 0.0",
            "labwatch_slack_deliveries_total{outcome=\"delivered\"} 0.0",
            "labwatch_slack_deliveries_total{outcome=\"dead_lettered\"} 0.0",
            "labwatch_slack_retries_total 0.0",
            "labwatch_slack_digests_total 0.0")
        // an event is never firing; a kind is exported with the severities it has, no others
        .doesNotContain(
            "labwatch_alerts_total{kind=\"MAC_CHANGED\",severity=\"warning\",state=\"firing\"} 0.0",
            "labwatch_alerts_total{kind=\"IP_CONFLICT\",severity=\"info\",state=\"firing\"} 0.0");
    // ... and counts on from there
    metrics.deadLetter("detect", "undecodable");
    assertThat(scrape())
        .contains("labwatch_dead_letters_total{component=\"detect\",reason=\"undecodable\"} 1.0");
  }

  @Test
  void deadLetterReasonsAreBoundedAndPartsReportHealth() throws Exception {
    metrics.deadLetter("sink.slack", "invalid_payload");
    for (int i = 0; i < LabwatchMetrics.MAX_REASONS + 20; i++) {
      metrics.deadLetter("detect", "reason-" + i);
    }
    metrics.deadLetter("detect", null); // "unknown": no room left either
    // the known reasons (exported from the start) and the first new ones fill the slots; the rest
    // and the unknown one count as other
    long known = DeadLetters.KNOWN_CODES.values().stream().flatMap(List::stream).distinct().count();
    long other = (LabwatchMetrics.MAX_REASONS + 20) - (LabwatchMetrics.MAX_REASONS - known) + 1;
    health.register("detection", () -> "the stream thread died: boom");
    health.register("ARP sensor", () -> null);
    metrics.lag("detect", Map.of("labwatch.arp", 42L));
    List<String> lines = scrape();
    assertThat(lines)
        .contains(
            "labwatch_dead_letters_total{component=\"sink.slack\",reason=\"invalid_payload\"} 1.0",
            "labwatch_dead_letters_total{component=\"detect\",reason=\"other\"} " + (double) other,
            "labwatch_part_up{part=\"detection\"} 0.0",
            // a part's name in words, as /-/healthy has it, is snake_case in its label
            "labwatch_part_up{part=\"arp_sensor\"} 1.0",
            "labwatch_consumer_lag_records{consumer=\"detect\",topic=\"labwatch.arp\"} 42.0");
    assertThat(lines.stream().filter(l -> l.startsWith("labwatch_dead_letters_total")).count())
        .isLessThanOrEqualTo(LabwatchMetrics.MAX_REASONS + 2);
  }
}
