package io.labwatch.bench;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Evidence;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.MetricsConfig;
import io.labwatch.sinks.prometheus.PrometheusSink;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Prometheus sink (issue 6): scrape time of /metrics with 10,000 firing incidents and 100
 * sensors, against a scrape of the same server without them; and the rate at which a starting sink
 * reads a backlog of alerts, against a plain consumer reading the same records.
 *
 * <pre>PrometheusBench scrape [INCIDENTS] [SENSORS] | catchup [ALERTS]</pre>
 */
public final class PrometheusBench {

  private PrometheusBench() {}

  public static void main(String[] args) throws Exception {
    // as labwatch's main does: without it, Nagle's algorithm adds 40 ms to every small scrape
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    System.out.printf(
        "machine: %d cores, %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    switch (args.length == 0 ? "scrape" : args[0]) {
      case "scrape" ->
          scrape(
              args.length > 1 ? Integer.parseInt(args[1]) : 10_000,
              args.length > 2 ? Integer.parseInt(args[2]) : 100);
      case "catchup" -> catchUp(args.length > 1 ? Integer.parseInt(args[1]) : 200_000);
      default -> throw new IllegalArgumentException("scrape or catchup");
    }
  }

  static Alert conflict(int i, Instant at) {
    return Alert.firing(
        "IP_CONFLICT",
        "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
        Severity.CRITICAL,
        "IP conflict " + i,
        Evidence.NONE,
        Map.of(),
        at);
  }

  static void scrape(int incidents, int sensors) throws Exception {
    Instant now = Instant.now();
    LabwatchMetrics empty = new LabwatchMetrics(new Health());
    LabwatchMetrics full = new LabwatchMetrics(new Health());
    for (int i = 0; i < incidents; i++) {
      Alert a = conflict(i, now);
      full.alert(a.fingerprint(), a, true);
    }
    for (int s = 0; s < sensors; s++) {
      String id = "sensor-" + s;
      full.heartbeat(new Heartbeat(now, id, 10_000, new Heartbeat.Capture(1_000_000, 10, 1)));
      for (PacketClass c :
          List.of(PacketClass.REQUEST, PacketClass.REPLY, PacketClass.ANNOUNCEMENT)) {
        full.observation(
            new ArpObservation(
                now,
                id,
                "eth0",
                null,
                c,
                IpAddress.of("10.0.0.1"),
                MacAddress.of("00:a0:de:00:00:01"),
                IpAddress.of("10.0.0.2"),
                MacAddress.of("00:a0:de:00:00:02"),
                MacAddress.of("00:a0:de:00:00:01")));
      }
      full.lag("detect", Map.of("labwatch.arp", 0L));
    }
    HttpClient http = HttpClient.newHttpClient();
    System.out.printf(
        "%n/metrics over HTTP on loopback, median and p99 of 200 scrapes after 100 warm-up%n");
    System.out.printf(
        "| %-52s | %9s | %8s | %8s | %10s |%n", "case", "bytes", "p50 ms", "p99 ms", "× baseline");
    System.out.printf(
        "|%s|%s|%s|%s|%s|%n",
        "-".repeat(54), "-".repeat(11), "-".repeat(10), "-".repeat(10), "-".repeat(12));
    String text = null;
    String open = "application/openmetrics-text; version=1.0.0";
    double[] base = time(http, empty, text);
    row("baseline: JVM metrics only, no incidents or sensors", base, base);
    row(
        incidents + " firing incidents, " + sensors + " sensors (text)",
        time(http, full, text),
        base);
    row(
        incidents + " firing incidents, " + sensors + " sensors (OpenMetrics)",
        time(http, full, open),
        base);
  }

  private static void row(String name, double[] r, double[] base) {
    System.out.printf(
        "| %-52s | %9.0f | %8.1f | %8.1f | %10.1f |%n", name, r[2], r[0], r[1], r[0] / base[0]);
  }

  /** p50 ms, p99 ms, bytes. */
  private static double[] time(HttpClient http, LabwatchMetrics metrics, String accept)
      throws Exception {
    try (HTTPServer server =
        HTTPServer.builder()
            .hostname("127.0.0.1")
            .port(0)
            .registry(metrics.registry())
            .buildAndStart()) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/metrics"));
      if (accept != null) {
        b.header("Accept", accept);
      }
      HttpRequest request = b.build();
      long bytes = 0;
      for (int i = 0; i < 100; i++) {
        bytes = http.send(request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
      }
      double[] ms = new double[200];
      for (int i = 0; i < ms.length; i++) {
        long t = System.nanoTime();
        http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
      Arrays.sort(ms);
      return new double[] {ms[ms.length / 2], ms[(int) Math.ceil(ms.length * 0.99) - 1], bytes};
    }
  }

  static void catchUp(int alerts) throws Exception {
    Path work = Files.createTempDirectory("labwatch-bench-prometheus");
    try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0)) {
      Topics topics = Topics.withPrefix("prom.");
      Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        new TopicManager(admin).ensure(topics.all(), -1);
      }
      Map<String, Object> p = new HashMap<>(client);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
      Instant now = Instant.now();
      try (KafkaProducer<String, Alert> producer =
          new KafkaProducer<>(
              p,
              topics.alerts().keySerde().serializer(),
              topics.alerts().valueSerde().serializer())) {
        // a realistic history: incidents fire, update and resolve; a tenth still fire
        for (int i = 0; i < alerts; i++) {
          int incident = i / 3;
          Alert a = conflict(incident, now);
          Alert record =
              switch (i % 3) {
                case 0 -> a;
                case 1 -> a.updated("IP conflict, more flips", Evidence.NONE, now.plusSeconds(60));
                default ->
                    incident % 10 == 0
                        ? a.updated("IP conflict, still", Evidence.NONE, now.plusSeconds(120))
                        : a.resolved("resolved", now.plusSeconds(900));
              };
          producer.send(new ProducerRecord<>(topics.alerts().name(), record.fingerprint(), record));
        }
        producer.flush();
      }
      System.out.printf(
          "%nA starting sink reads a backlog of %,d alert records (%,d incidents) on the embedded broker%n",
          alerts, alerts / 3);
      System.out.printf("| %-58s | %8s | %12s | %10s |%n", "case", "ms", "records/s", "× baseline");
      System.out.printf(
          "|%s|%s|%s|%s|%n", "-".repeat(60), "-".repeat(10), "-".repeat(14), "-".repeat(12));
      for (int round = 0; round < 2; round++) {
        long baseMs = plainRead(client, topics.alerts().name());
        Health health = new Health();
        LabwatchMetrics metrics = new LabwatchMetrics(health);
        long t = System.nanoTime();
        int firing;
        try (PrometheusSink sink =
            PrometheusSink.start(
                new MetricsConfig("127.0.0.1", 0, Duration.ofMinutes(10)),
                topics,
                client,
                metrics,
                health,
                Map.of())) {
          firing = metrics.firingCount();
          if (sink.port() <= 0) {
            throw new IllegalStateException("not serving");
          }
        }
        long sinkMs = (System.nanoTime() - t) / 1_000_000;
        if (round == 0) {
          continue; // warm-up
        }
        System.out.printf(
            "| %-58s | %8d | %12.0f | %10.2f |%n",
            "baseline: a plain consumer reads the bytes, no decoding",
            baseMs,
            alerts * 1000.0 / baseMs,
            1.0);
        System.out.printf(
            "| %-58s | %8d | %12.0f | %10.2f |%n",
            "Prometheus sink start: rebuilt " + firing + " firing, serving",
            sinkMs,
            alerts * 1000.0 / sinkMs,
            (double) baseMs / sinkMs);
      }
    }
  }

  private static long plainRead(Map<String, Object> client, String topic) {
    Map<String, Object> c = new HashMap<>(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    long t = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
      long n = 0;
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        n += consumer.poll(Duration.ofMillis(200)).count();
      }
      if (n == 0) {
        throw new IllegalStateException("read nothing");
      }
    }
    return (System.nanoTime() - t) / 1_000_000;
  }
}
