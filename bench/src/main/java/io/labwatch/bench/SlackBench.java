package io.labwatch.bench;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import io.labwatch.events.Topics;
import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.sinks.slack.SlackSink;
import io.labwatch.sinks.testing.FakeSlack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Slack sink's latency (issue 5): from an alert committed to the alerts topic (the producer's
 * acknowledgement) to its POST arriving at a local Slack stand-in, at a steady rate below Slack's
 * one message per second; p50 and p99.
 */
public final class SlackBench {

  private SlackBench() {}

  public static void main(String[] args) throws Exception {
    int alerts = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    long everyMs = 1200;
    Path work = Files.createTempDirectory("labwatch-bench-slack");
    try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0);
        FakeSlack slack = new FakeSlack()) {
      Topics topics = Topics.withPrefix("slack.");
      Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        new TopicManager(admin).ensure(topics.all(), -1);
      }
      SlackConfig config =
          new SlackConfig(
              slack.webhookUrl(),
              null,
              null,
              Map.of(),
              Severity.WARNING,
              List.of(),
              List.of(),
              10,
              3,
              null,
              Duration.ofSeconds(5),
              "bench-slack");
      Map<String, Object> p = new HashMap<>(client);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      try (SlackSink sink = SlackSink.start(config, topics, client);
          KafkaProducer<String, Alert> producer =
              new KafkaProducer<>(
                  p,
                  topics.alerts().keySerde().serializer(),
                  topics.alerts().valueSerde().serializer())) {
        // the baseline: a plain consumer of the same topic, in the same run — Kafka's own floor
        long[] consumed = new long[alerts];
        Arrays.fill(consumed, -1);
        Map<String, Object> c = new HashMap<>(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-slack-baseline");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread baseline =
            new Thread(
                () -> {
                  try (KafkaConsumer<String, Alert> consumer =
                      new KafkaConsumer<>(
                          c,
                          topics.alerts().keySerde().deserializer(),
                          topics.alerts().valueSerde().deserializer())) {
                    consumer.subscribe(List.of(topics.alerts().name()));
                    while (running.get()) {
                      for (var r : consumer.poll(Duration.ofMillis(100))) {
                        String summary = r.value().summary();
                        int n = Integer.parseInt(summary.substring(summary.lastIndexOf(' ') + 1));
                        consumed[n] = System.nanoTime();
                      }
                      consumer.commitAsync();
                    }
                  }
                },
                "baseline-consumer");
        baseline.start();
        Thread.sleep(5000); // the sink and the baseline join their groups, start from the end
        long[] committed = new long[alerts];
        Instant t0 = Instant.now();
        for (int i = 0; i < alerts; i++) {
          Alert a =
              Alert.firing(
                  "IP_CONFLICT",
                  "10.77.0." + (i % 250),
                  Severity.CRITICAL,
                  "bench " + i,
                  Evidence.NONE,
                  Map.of(),
                  t0.plusMillis(i));
          producer.send(new ProducerRecord<>(topics.alerts().name(), a.fingerprint(), a)).get();
          committed[i] = System.nanoTime();
          Thread.sleep(everyMs);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (slack.requests().size() < alerts && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        running.set(false);
        baseline.join();
        long[] base = new long[alerts];
        int b = 0;
        for (int i = 0; i < alerts; i++) {
          if (consumed[i] > 0) {
            base[b++] = Math.max(0, (consumed[i] - committed[i]) / 1_000_000);
          }
        }
        base = Arrays.copyOf(base, b);
        Arrays.sort(base);
        List<FakeSlack.Request> requests = slack.requests();
        long[] ms = new long[Math.min(alerts, requests.size())];
        for (int i = 0; i < ms.length; i++) {
          String text = requests.get(i).body().path("text").asText();
          int n = Integer.parseInt(text.substring(text.lastIndexOf(' ') + 1));
          ms[i] = Math.max(0, (requests.get(i).nanoTime() - committed[n]) / 1_000_000);
        }
        Arrays.sort(ms);
        System.out.printf(
            "machine: %d cores, %s %s%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name"),
            System.getProperty("java.version"));
        System.out.printf(
            "%nSlack sink latency: %d alerts, one every %d ms (below Slack's 1/s), webhook to a local stand-in%n",
            alerts, everyMs);
        System.out.printf(
            "| %-52s | %8s | %8s | %8s |%n",
            "alert committed -> ...", "p50 ms", "p99 ms", "max ms");
        System.out.printf(
            "|%s|%s|%s|%s|%n", "-".repeat(54), "-".repeat(10), "-".repeat(10), "-".repeat(10));
        row("baseline: a plain consumer polled it (" + base.length + ")", base);
        row("Slack sink: POST received by Slack (" + sink.delivered() + " delivered)", ms);
        System.out.printf(
            "%nratio p99 sink/baseline: %.2f  (target: sink p99 < 100 ms)%n",
            pct(ms, 99) / (double) Math.max(1, pct(base, 99)));
      }
    }
  }

  static void row(String name, long[] sorted) {
    System.out.printf(
        "| %-52s | %8d | %8d | %8d |%n",
        name,
        pct(sorted, 50),
        pct(sorted, 99),
        sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
  }

  static long pct(long[] sorted, int p) {
    return sorted.length == 0
        ? -1
        : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
