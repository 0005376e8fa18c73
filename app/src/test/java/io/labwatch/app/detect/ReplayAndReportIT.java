package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.report.Screenshot;
import io.labwatch.app.testing.Captures;
import io.labwatch.app.testing.Cli;
import io.labwatch.app.testing.KafkaBrokerExtension;
import io.labwatch.app.testing.TestKafka;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.IpAddress;
import io.labwatch.events.Json;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17: a live incident — the seed's capture through `labwatch sensor arp --pcap`, then the
 * flips, failing ssh probes and the host's load that follow it, into a real broker, through a live
 * `labwatch detect` process — then `labwatch replay` of its range and `labwatch report` of it,
 * opened in a real browser.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayAndReportIT {

  static final Path FIXTURE =
      Path.of("..", "producers", "src", "test", "resources", "pcap", "ip-conflict.pcap");
  // the capture's two devices
  static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");
  static final IpAddress CLIENT_IP = IpAddress.of("10.77.0.21");
  static final MacAddress CLIENT = MacAddress.of("52:54:00:77:00:21");

  /** Wall-clock time between two ten-second steps of the lab. */
  static final long PACE_MS = 1_000;

  /**
   * Shorter periods than the defaults, so that the incident fits in a minute of the test's time;
   * the live detection and the replays run with the same.
   */
  static final Map<String, String> SETTINGS =
      Map.of(
          "LABWATCH_DETECTION_QUIET_PERIOD", "2m",
          "LABWATCH_DETECTION_UPDATE_INTERVAL", "1m",
          "LABWATCH_DETECTION_HEALTH_PROBE_QUIET", "1m");

  private TestKafka kafka;
  private Topics topics;
  private Path dir;
  private Process detect;
  private Instant from;
  private Instant to;
  private List<String> live;

  @BeforeAll
  void aLiveIncident(TestKafka kafka) throws Exception {
    failed = true; // (until the incident is set up: its files are kept if it is not)
    this.kafka = kafka;
    this.topics = TestKafka.uniqueTopics();
    this.dir = Files.createTempDirectory("replay-it");
    try (var admin = kafka.admin()) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    detect = startDetect();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> Files.readString(dir.resolve("detect.log")).contains("labwatch detect:"));

    Instant t0 = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
    from = t0.minus(Duration.ofMinutes(1));
    Instant seedAt = t0.plus(Duration.ofMinutes(1));
    try (KafkaProducer<String, SensorEvent> arp = kafka.producer(topics.arp());
        KafkaProducer<String, SensorEvent> host = kafka.producer(topics.host())) {
      Instant t = t0;
      long uptime = 86_400;
      // a minute of normal life: the server answers, ssh answers, the load is low
      for (; t.isBefore(seedAt); t = t.plusSeconds(10), uptime += 10) {
        life(arp, host, t, uptime, SERVER, true);
      }
      // the seed's capture, through the ARP sensor
      Path capture = Captures.redated(FIXTURE, dir.resolve("seed.pcap"), 1, seedAt);
      Cli.Result published =
          new Cli()
              .run(
                  "sensor",
                  "arp",
                  "--pcap",
                  capture.toString(),
                  "--heartbeat-interval",
                  "1s",
                  "-b",
                  kafka.bootstrapServers(),
                  "--topic-prefix",
                  topics.prefix());
      assertThat(published.exitCode()).as(published.err()).isZero();
      // two minutes of flips: ssh fails whenever the router holds the address
      t = seedAt.plusSeconds(10);
      boolean router = true;
      for (Instant end = t.plus(Duration.ofMinutes(2)); t.isBefore(end); t = t.plusSeconds(10)) {
        life(arp, host, t, uptime += 10, router ? ROUTER : SERVER, !router);
        router = !router;
      }
      // the router is unplugged: three minutes of the server alone
      for (Instant end = t.plus(Duration.ofMinutes(3)); t.isBefore(end); t = t.plusSeconds(10)) {
        life(arp, host, t, uptime += 10, SERVER, true);
      }
      to = t.plusSeconds(1);
      arp.flush();
      host.flush();
    }
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                liveAlerts().stream()
                    .map(this::alert)
                    .anyMatch(
                        a -> a.kind().equals("IP_CONFLICT") && a.state() == AlertState.RESOLVED));
    // settled: nothing more comes for a while
    java.util.concurrent.atomic.AtomicInteger seen =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    await()
        .pollInterval(Duration.ofSeconds(1))
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(40))
        .until(
            () -> {
              int n = liveAlerts().size();
              return seen.getAndSet(n) == n;
            });
    live = liveAlerts();
    failed = false;
  }

  @AfterAll
  void stop() throws Exception {
    if (detect != null) {
      detect.destroyForcibly();
      detect.waitFor(30, TimeUnit.SECONDS);
    }
    // the test's files (a browser profile among them), kept only when a test failed
    if (dir != null && !failed) {
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private boolean failed;

  @org.junit.jupiter.api.extension.RegisterExtension
  final org.junit.jupiter.api.extension.TestWatcher watcher =
      new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(
            org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
          failed = true;
          System.err.println("ReplayAndReportIT: its files are kept in " + dir);
        }
      };

  @Test
  void replayOfTheLiveIncidentsRangeGivesTheLiveAlertsByteForByte() {
    Cli.Result r = replay("--from", from.toString(), "--to", to.toString(), "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<Alert> alerts = r.outLines().stream().map(this::alert).toList();
    try {
      // (kept with the test's files, for a look when they differ)
      Files.write(dir.resolve("live.jsonl"), live);
      Files.write(dir.resolve("replay.jsonl"), r.outLines());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(alerts).extracting(Alert::kind).contains("IP_CONFLICT", "SERVICE_UNREACHABLE");
    assertThat(alerts)
        .as("the conflict told with its symptom: ssh fails, not the load")
        .anyMatch(a -> a.kind().equals("IP_CONFLICT") && a.summary().contains("symptom"));
    assertThat(r.outLines()).containsExactlyInAnyOrderElementsOf(live);
    assertThat(r.err())
        .contains("replayed ")
        .contains(topics.arp().name() + " ")
        .contains(topics.host().name() + " ")
        .doesNotContain("undecodable");
    // and the live pipeline did not notice: nothing new in the alerts topic
    assertThat(liveAlerts()).isEqualTo(live);
  }

  @Test
  void replayWithANewInventoryRaisesTheSpoofTheLiveRunCouldNot() throws IOException {
    Path config = dir.resolve("inventory.yml");
    Files.writeString(
        config,
        "detection:\n  inventory:\n    " + SERVER_IP + ": [\"" + SERVER + "\"]\n",
        StandardCharsets.UTF_8);
    assertThat(live).noneMatch(s -> s.contains("ADDRESS_SPOOF"));
    Cli.Result r =
        replay("--from", from.toString(), "--to", to.toString(), "--config", config.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("ADDRESS_SPOOF firing")
        .contains(SERVER_IP.toString())
        .contains(ROUTER.toString());
  }

  @Test
  void aRangeThatHoldsNothingAndAnEmptyRangeAndADeadBrokerAreOneClearLineEach() {
    Cli.Result before =
        replay(
            "--from",
            from.minus(Duration.ofDays(3)).toString(),
            "--to",
            from.minus(Duration.ofDays(2)).toString());
    assertThat(before.exitCode()).isEqualTo(1);
    assertThat(before.errLines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("nothing is kept from")
        .contains("the range ends before the oldest record kept");

    Cli.Result empty = replay("--from", to.toString(), "--to", from.toString());
    assertThat(empty.exitCode()).isEqualTo(1);
    assertThat(empty.errLines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("the range is empty");

    Cli.Result badTime = replay("--from", "last tuesday");
    assertThat(badTime.exitCode()).isEqualTo(1);
    assertThat(badTime.errLines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("--from 'last tuesday' is not a time");

    Cli.Result down = new Cli().run("replay", "--from", "1h", "-b", "127.0.0.1:1");
    assertThat(down.exitCode()).isEqualTo(1);
    assertThat(down.errLines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("cannot reach Kafka at 127.0.0.1:1");

    Cli.Result unknown = report("IP_CONFLICT:10.77.0.99", "-o", dir.resolve("x.html").toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.errLines())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("no incident IP_CONFLICT:10.77.0.99 in " + topics.alerts().name());
    assertThat(dir.resolve("x.html")).doesNotExist();
  }

  @Test
  void tailPrintsARangeInTimeOrderAcrossPartitions() {
    Cli.Result r =
        new Cli()
            .run(
                "tail",
                "arp",
                "--from",
                from.toString(),
                "--to",
                to.toString(),
                "-b",
                kafka.bootstrapServers(),
                "--topic-prefix",
                topics.prefix());
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<Instant> times = new ArrayList<>();
    java.util.Set<Integer> partitions = new java.util.HashSet<>();
    for (String line : r.outLines()) {
      Matcher m =
          Pattern.compile("\"partition\":(\\d+),.*?\"timestamp\":\"([^\"]+)\"").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      partitions.add(Integer.parseInt(m.group(1)));
      times.add(Instant.parse(m.group(2)));
    }
    assertThat(partitions).as("heartbeats go to every partition").hasSize(3);
    assertThat(times).isSorted().isNotEmpty();
  }

  @Test
  void theReportOpensOfflineInARealBrowserWithBothMacsLanes() throws Exception {
    Path page = dir.resolve("seed.html");
    Cli.Result r = report("IP_CONFLICT:" + SERVER_IP, "-o", page.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    String html = Files.readString(page);
    assertThat(html)
        .contains(SERVER.toString())
        .contains(ROUTER.toString())
        .contains("YAMAHA")
        .contains("labwatch replay --from ");
    // nothing it would fetch: no external script, style, image or font
    assertThat(html)
        .doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//")
        .doesNotContainPattern("(?i)url\\(\\s*[\"']?(https?:)?//")
        .doesNotContainPattern("(?i)@import");

    Path browser = Screenshot.browser().orElse(null);
    if (browser == null) {
      String why = "Chromium is not installed (apt-get install chromium): the report is not opened";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why);
      }
      System.err.println("SKIPPED: " + why);
      assumeTrue(false, why);
    }
    Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
    List<String> cmd = new ArrayList<>(Screenshot.command(browser, page, 1200, 1500, "--dump-dom"));
    cmd.add(1, "--user-data-dir=" + profile);
    cmd.add(1, "--enable-logging=stderr");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(dir.resolve("dom.html").toFile())
            .redirectError(dir.resolve("chromium.log").toFile())
            .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String dom = Files.readString(dir.resolve("dom.html"));
    String console = Files.readString(dir.resolve("chromium.log"));
    assertThat(dom).as(console).contains("data-rendered=\"ok\"");
    assertThat(dom).contains("<ul id=\"script-errors\"></ul>");
    assertThat(console).doesNotContain("Uncaught").doesNotContain("net::ERR");
    // the timeline's lanes are the two MACs, drawn by the chart (SVG text in #timeline)
    String timeline = dom.substring(dom.indexOf("id=\"timeline\""));
    timeline = timeline.substring(0, timeline.indexOf("id=\"script-errors\""));
    assertThat(timeline).contains("<svg").contains(SERVER.toString()).contains(ROUTER.toString());
    assertThat(timeline).contains("probe tcp/22 " + SERVER_IP);

    Path png = dir.resolve("seed.png");
    Screenshot.take(page, png);
    byte[] header = Files.readAllBytes(png);
    assertThat(header.length).isGreaterThan(10_000);
    assertThat(new String(header, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  /** As `labwatch run` serves it, on the metrics port: the page the Slack message links to. */
  @Test
  void theMetricsPortServesTheIncidentsReportAndSaysWhenThereIsNone() throws Exception {
    io.labwatch.sinks.Health health = new io.labwatch.sinks.Health();
    Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
    try (io.labwatch.sinks.prometheus.PrometheusSink sink =
        io.labwatch.sinks.prometheus.PrometheusSink.start(
            new io.labwatch.sinks.prometheus.MetricsConfig("127.0.0.1", 0, Duration.ofSeconds(1)),
            topics,
            client,
            new io.labwatch.sinks.prometheus.LabwatchMetrics(health),
            health,
            Map.of(),
            new io.labwatch.app.report.ReportHandler(client, topics))) {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + sink.port();
      var ok =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          base
                              + "/incidents/"
                              + java.net.URLEncoder.encode(
                                  "IP_CONFLICT:" + SERVER_IP, StandardCharsets.UTF_8)))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(ok.body())
          .contains("<!DOCTYPE html>")
          .contains(ROUTER.toString())
          .contains("YAMAHA");
      var none =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(base + "/incidents/NOPE:1.2.3.4"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.body().lines().toList())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("no incident NOPE:1.2.3.4");
      var index =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(index.body()).contains("/incidents/ID");
    }
  }

  private Cli.Result replay(String... args) {
    List<String> all = new ArrayList<>(List.of("replay"));
    all.addAll(List.of(args));
    all.addAll(List.of("-b", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()));
    Cli cli = new Cli();
    SETTINGS.forEach(cli::env);
    return cli.run(all.toArray(String[]::new));
  }

  private Cli.Result report(String... args) {
    List<String> all = new ArrayList<>(List.of("report"));
    all.addAll(List.of(args));
    all.addAll(List.of("-b", kafka.bootstrapServers(), "--topic-prefix", topics.prefix()));
    return new Cli().run(all.toArray(String[]::new));
  }

  private Alert alert(String json) {
    try {
      return Json.reader(Alert.class).readValue(json);
    } catch (IOException e) {
      throw new AssertionError(json, e);
    }
  }

  /** The alerts topic's values, as the bytes (UTF-8) the live detection wrote. */
  private List<String> liveAlerts() {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topics.alerts().name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      List<String> out = new ArrayList<>();
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      return out;
    }
  }

  private Process startDetect() throws IOException {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            Path.of("target", "labwatch.jar").toString(),
            "detect",
            "-b",
            kafka.bootstrapServers(),
            "--topic-prefix",
            topics.prefix());
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("detect.log").toFile());
    pb.environment().put("LABWATCH_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("LABWATCH_DETECTION_APPLICATION_ID", "replay-it-" + UUID.randomUUID());
    // the live rules that need the wall clock are the only ones a replay cannot repeat
    pb.environment().put("LABWATCH_DETECTION_WALL_CLOCK_SILENCE", "false");
    pb.environment().putAll(SETTINGS);
    // each hop between the detection's tasks (its repartition topics) waits for a commit
    pb.environment().put("LABWATCH_KAFKA_COMMIT_INTERVAL_MS", "100");
    return pb.start();
  }

  /** Ten seconds of the lab: who answers for the server's address, ssh to it, the host's load. */
  private void life(
      KafkaProducer<String, SensorEvent> arp,
      KafkaProducer<String, SensorEvent> host,
      Instant t,
      long uptime,
      MacAddress holder,
      boolean sshOk)
      throws Exception {
    // Paced as sensors publish live (ten seconds of the lab in one of the test's), so that the
    // live correlation hears of probes, incidents and load in the order they happened: it hears
    // of them from different tasks, an IP conflict two repartition hops (and commits) after its
    // packets, a probe one. A backlog written faster than that interleaves them otherwise (see
    // README, "Replay")
    Thread.sleep(PACE_MS);
    ArpObservation reply =
        new ArpObservation(
            t,
            "lab-sw1",
            "eth0",
            null,
            PacketClass.REPLY,
            SERVER_IP,
            holder,
            CLIENT_IP,
            CLIENT,
            holder);
    arp.send(
            new ProducerRecord<>(
                topics.arp().name(), null, t.toEpochMilli(), SERVER_IP.toString(), reply))
        .get();
    Heartbeat beat = new Heartbeat(t, "lab-sw1", 10_000, new Heartbeat.Capture(1, 0, 0));
    for (int p = 0; p < topics.arp().partitions(); p++) {
      arp.send(new ProducerRecord<>(topics.arp().name(), p, t.toEpochMilli(), "lab-sw1", beat))
          .get();
    }
    double cpu = 0.12 + (uptime % 7) / 1000.0;
    HostMetrics sample =
        new HostMetrics(
            t,
            "yamato",
            uptime,
            400,
            new HostMetrics.Cpu(
                10_000,
                new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0),
                List.of(
                    new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0),
                    new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0))),
            new HostMetrics.Load(0.4, 0.4, 0.4),
            new HostMetrics.Memory(64L << 30, 48L << 30, 0, 0, 0L, 0L),
            List.of(),
            List.of(),
            List.of(
                new HostMetrics.NetInterface(
                    "eth0",
                    uptime * 1000,
                    uptime * 1000,
                    uptime,
                    uptime,
                    0,
                    0,
                    0,
                    0L,
                    List.of(SERVER_IP))),
            null,
            List.of());
    host.send(new ProducerRecord<>(topics.host().name(), null, t.toEpochMilli(), "yamato", sample))
        .get();
    Instant at = t.plusMillis(1);
    ProbeResult probe =
        sshOk
            ? ProbeResult.answered(
                at,
                "labbox",
                "tcp://yamato:22",
                ProbeResult.Kind.TCP,
                SERVER_IP,
                22,
                800,
                holder,
                List.of())
            : ProbeResult.failed(
                at,
                "labbox",
                "tcp://yamato:22",
                ProbeResult.Kind.TCP,
                SERVER_IP,
                22,
                2_000_000,
                ProbeResult.ErrorClass.TIMEOUT,
                "connect timed out",
                holder);
    host.send(new ProducerRecord<>(topics.host().name(), null, at.toEpochMilli(), "labbox", probe))
        .get();
  }
}
