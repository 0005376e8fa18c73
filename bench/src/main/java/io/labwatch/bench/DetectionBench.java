package io.labwatch.bench;

import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The detection's benchmarks (issue 4), on a real broker:
 *
 * <ul>
 *   <li>{@code throughput}: the topology over a backlog of a lab's traffic (1 M records, 10 k
 *       hosts, some conflicts, a small inventory) against a plain consume-and-produce copy of the
 *       same records, same broker, same run; alternating rounds (-Dbench.rounds, default 5;
 *       -Dbench.records, default 1,000,000; -Dbench.hosts, default 10,000: bench/detect runs it
 *       with 200,000 too), the median ratio;
 *   <li>{@code latency}: from an observation produced to its alert committed, at 1 k
 *       observations/s;
 *   <li>{@code heap BOOTSTRAP N}: the heap of a detection tracking N addresses (run in a JVM of its
 *       own, -Xmx512m, against a broker in another process).
 * </ul>
 */
public final class DetectionBench {

  private DetectionBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "machine: %d cores, %s %s, max heap %d MB%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    switch (args[0]) {
      case "throughput" -> withBroker(DetectionBench::throughput);
      case "latency" -> withBroker(DetectionBench::latency);
      case "heap" -> heap(args[1], Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("throughput | latency | heap BOOTSTRAP N");
    }
  }

  interface Bench {
    void run(String bootstrap, Path work) throws Exception;
  }

  static void withBroker(Bench b) throws Exception {
    Path work = Files.createTempDirectory("labwatch-bench-detect");
    try (EmbeddedBroker broker = EmbeddedBroker.start(work.resolve("broker"), "127.0.0.1", 0)) {
      b.run(broker.bootstrapServers(), work);
    }
  }

  // ---- throughput

  static void throughput(String bootstrap, Path work) throws Exception {
    int n = Integer.getInteger("bench.records", 1_000_000);
    int rounds = Integer.getInteger("bench.rounds", 5);
    int hosts = Integer.getInteger("bench.hosts", 10_000);
    int conflictEvery = Integer.getInteger("bench.conflictEvery", 1000);
    // live: event times ahead of the wall clock (less than the broker's 1 h limit), so that every
    // alert counts as one about the present and asks for a commit of its own — the worst case
    boolean live = Boolean.getBoolean("bench.live");
    Instant start = live ? Instant.now().plus(Duration.ofMinutes(10)) : Traffic.START;
    List<ArpObservation> traffic = new Traffic(hosts, conflictEvery).observations(n, start);
    System.out.printf(
        "%ndetection throughput: %,d observations of %,d hosts (every %,dth address conflicted,"
            + " %d protected in the inventory; event time %s), 3 partitions, %d rounds%n",
        n,
        hosts,
        conflictEvery,
        INVENTORY,
        live ? "ahead of the wall clock: every alert is live" : "yesterday: a backlog",
        rounds);
    // warm-up (JIT, broker) on a part of the backlog, not reported
    int warmN = n / 5;
    Topics warm = Topics.withPrefix("warm.");
    ensure(bootstrap, warm);
    preload(bootstrap, warm, traffic.subList(0, warmN));
    copy(bootstrap, warm, warmN);
    detect(bootstrap, warm, work.resolve("state-warm"));
    // the floor's state: as large as the detection's (its mean per-IP state on the changelog)
    int stateBytes = meanStateBytes(bootstrap);
    floor(bootstrap, warm, work.resolve("floor-warm"), stateBytes);

    Topics topics = Topics.withPrefix("tp.");
    ensure(bootstrap, topics);
    preload(bootstrap, topics, traffic);
    System.out.printf(
        "(floor: a Kafka Streams processor that only reads and writes back a %d-byte state per"
            + " address, the detection's mean, with the detection's settings)%n",
        stateBytes);
    System.out.printf(
        "| round | baseline rec/s | detection rec/s | × baseline | start-up s copy | start-up s"
            + " detection | CPU µs/rec copy | CPU µs/rec stream thread | floor rec/s | floor ×"
            + " baseline | detection × floor |%n");
    System.out.printf(
        "|-------|----------------|-----------------|------------|-----------------|"
            + "----------------------|-----------------|--------------------------|-------------|"
            + "------------------|-------------------|%n");
    double[] ratios = new double[rounds];
    double[] floors = new double[rounds];
    List<String> where = new ArrayList<>();
    Map<String, Integer> alertsBefore = Map.of();
    List<Map<String, Integer>> alerts = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      // alternate which one goes first, in case going second helps (page cache, JIT, broker)
      Run copy;
      Run detect;
      Run floor;
      if (r % 2 == 0) {
        copy = copy(bootstrap, topics, n);
        detect = detect(bootstrap, topics, work.resolve("state" + r));
        floor = floor(bootstrap, topics, work.resolve("floor" + r), stateBytes);
      } else {
        floor = floor(bootstrap, topics, work.resolve("floor" + r), stateBytes);
        detect = detect(bootstrap, topics, work.resolve("state" + r));
        copy = copy(bootstrap, topics, n);
      }
      Map<String, Integer> alertsNow = countAlerts(bootstrap, topics);
      Map<String, Integer> round = new java.util.TreeMap<>();
      for (Map.Entry<String, Integer> e : alertsNow.entrySet()) {
        round.put(e.getKey(), e.getValue() - alertsBefore.getOrDefault(e.getKey(), 0));
      }
      alerts.add(round);
      alertsBefore = alertsNow;
      ratios[r] = copy.seconds / detect.seconds;
      floors[r] = copy.seconds / floor.seconds;
      where.add(detect.where());
      System.out.printf(
          "| %5d | %,14.0f | %,15.0f | %10.2f | %15.2f | %20.2f | %15.1f | %24.1f | %,11.0f |"
              + " %16.2f | %17.2f |%n",
          r + 1,
          n / copy.seconds,
          n / detect.seconds,
          ratios[r],
          copy.startup,
          detect.startup,
          copy.cpuNanos / 1e3 / n,
          detect.cpuNanos / 1e3 / n,
          n / floor.seconds,
          floors[r],
          floor.seconds / detect.seconds);
    }
    System.out.printf(
        "%nwhere each detection run's wall time went (its stream thread's metrics):%n");
    System.out.printf(WHERE_HEADER);
    for (String w : where) {
      System.out.println(w);
    }
    if (alerts.stream().distinct().count() == 1) {
      System.out.printf("alerts committed by each detection run: %s%n", alerts.get(0));
    } else {
      System.out.printf("alerts committed differ between runs: %s%n", alerts);
    }
    Arrays.sort(ratios);
    Arrays.sort(floors);
    System.out.printf(
        "median × baseline: %.2f (min %.2f, max %.2f); the floor's: %.2f (min %.2f, max %.2f)%n",
        ratios[rounds / 2],
        ratios[0],
        ratios[rounds - 1],
        floors[rounds / 2],
        floors[0],
        floors[rounds - 1]);
  }

  /**
   * One measured run: wall time from the client's creation until every record's output is durable
   * (the copy: flushed with acks=all and the offsets committed; the detection: its exactly-once
   * commits reach the end of the input), closing excluded on both sides; and the CPU time of the
   * thread that does the work (the copy's loop; the stream thread — not Kafka Streams' other
   * threads nor RocksDB's). {@code startup}, for the reader only: the part of {@code seconds} until
   * the copy's first poll returned records, and until the detection's state was RUNNING (group
   * join, changelog topics, transactions, stores; its first task may be processing by then).
   */
  record Run(double seconds, double startup, long cpuNanos, String where) {
    Run(double seconds, double startup, long cpuNanos) {
      this(seconds, startup, cpuNanos, "");
    }
  }

  /** Protected addresses written to the inventory topic, as a lab's config file would. */
  static final int INVENTORY = 50;

  static void writeInventory(String bootstrap, Topics topics) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<String, InventoryEntry> p =
        new KafkaProducer<>(
            props,
            topics.inventory().keySerde().serializer(),
            topics.inventory().valueSerde().serializer())) {
      for (int k = 0; k < INVENTORY; k++) {
        int host = 200 * k + 1; // none of them a conflicted one (host % 1000 == 7)
        IpAddress ip = Traffic.ip(host);
        p.send(
            new ProducerRecord<>(
                topics.inventory().name(),
                ip.toString(),
                new InventoryEntry(ip, List.of(Traffic.mac(host)), "server-" + k)));
      }
      p.flush();
    }
  }

  static void ensure(String bootstrap, Topics topics) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      new TopicManager(admin).ensure(topics.all(), -1);
    }
    writeInventory(bootstrap, topics);
  }

  static void preload(String bootstrap, Topics topics, List<ArpObservation> records)
      throws Exception {
    preload(bootstrap, topics, records, List.of("bench"), Map.of());
  }

  /**
   * Publishes {@code records} (in event-time order) to the arp topic, keyed by their address, with
   * a heartbeat of each of {@code sensors} every 10 s of event time to every partition, as the ARP
   * sensor sends them; {@code producerProps} override the producer's settings.
   */
  static void preload(
      String bootstrap,
      Topics topics,
      Iterable<ArpObservation> records,
      List<String> sensors,
      Map<String, Object> producerProps)
      throws Exception {
    AtomicReference<Exception> failed = new AtomicReference<>();
    org.apache.kafka.clients.producer.Callback check =
        (meta, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
        };
    try (KafkaProducer<String, SensorEvent> p = producer(bootstrap, topics, producerProps)) {
      Instant nextHeartbeat = null;
      for (ArpObservation o : records) {
        if (nextHeartbeat == null) {
          nextHeartbeat = o.eventTime();
        }
        if (!o.eventTime().isBefore(nextHeartbeat)) {
          for (String sensor : sensors) {
            for (int part = 0; part < topics.arp().partitions(); part++) {
              p.send(
                  new ProducerRecord<>(
                      topics.arp().name(),
                      part,
                      o.eventTime().toEpochMilli(),
                      sensor,
                      new Heartbeat(o.eventTime(), sensor, 10_000, new Heartbeat.Capture(0, 0, 0))),
                  check);
            }
          }
          nextHeartbeat = nextHeartbeat.plusSeconds(10);
        }
        p.send(
            new ProducerRecord<>(
                topics.arp().name(), null, o.eventTime().toEpochMilli(), o.key(), o),
            check);
      }
      p.flush();
    }
    if (failed.get() != null) {
      throw new IllegalStateException("preloading the backlog failed", failed.get());
    }
  }

  static KafkaProducer<String, SensorEvent> producer(String bootstrap, Topics topics) {
    return producer(bootstrap, topics, Map.of());
  }

  /** The sensors' producer settings (acks=all, linger 5 ms, lz4), {@code overrides} on top. */
  static KafkaProducer<String, SensorEvent> producer(
      String bootstrap, Topics topics, Map<String, Object> overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.putAll(overrides);
    return new KafkaProducer<>(
        props, topics.arp().keySerde().serializer(), topics.arp().valueSerde().serializer());
  }

  /** The baseline: read every record (decoded) and write it to another topic (encoded). */
  static Run copy(String bootstrap, Topics topics, int expected) {
    return copy(bootstrap, topics, topics.arp(), expected, e -> e instanceof ArpObservation);
  }

  /**
   * The baseline over {@code from}: read every record (decoded) and write it to another topic
   * (encoded), until {@code expected} records that are {@code counted} were read.
   */
  static Run copy(
      String bootstrap,
      Topics topics,
      io.labwatch.events.Topic<String, SensorEvent> from,
      long expected,
      java.util.function.Predicate<SensorEvent> counted) {
    long start = System.nanoTime();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "copy-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    String out = topics.dlq().name(); // any topic of ours will do as the copy's target
    try (KafkaConsumer<String, SensorEvent> consumer =
            new KafkaConsumer<>(
                c, from.keySerde().deserializer(), from.valueSerde().deserializer());
        KafkaProducer<String, SensorEvent> producer = producer(bootstrap, topics)) {
      consumer.subscribe(List.of(from.name()));
      long seen = 0;
      double startup = -1;
      while (seen < expected) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (startup < 0 && !records.isEmpty()) {
          startup = (System.nanoTime() - start) / 1e9;
        }
        for (ConsumerRecord<String, SensorEvent> r : records) {
          if (counted.test(r.value())) {
            seen++;
          }
          producer.send(new ProducerRecord<>(out, 0, r.timestamp(), r.key(), r.value()));
        }
        consumer.commitAsync();
      }
      producer.flush();
      consumer.commitSync();
      return new Run(
          (System.nanoTime() - start) / 1e9, startup, THREADS.getCurrentThreadCpuTime() - cpuStart);
    }
  }

  /** The detection from the beginning of the backlog until its committed offsets reach the end. */
  static Run detect(String bootstrap, Topics topics, Path stateDir) {
    return detect(bootstrap, topics, topics.arp(), stateDir, List.of("claims", "health-by-ip"));
  }

  /**
   * The detection from the beginning of {@code from} until its committed offsets reach the end of
   * it, and then of each of its internal topics {@code stages} (read when the one before is done).
   */
  static Run detect(
      String bootstrap,
      Topics topics,
      io.labwatch.events.Topic<String, SensorEvent> from,
      Path stateDir,
      List<String> stages) {
    long start = System.nanoTime();
    DetectionConfig config =
        DetectionConfig.defaults().deterministic().withApplicationId("bench-" + UUID.randomUUID());
    return untilCommitted(
        start,
        DetectionTopology.build(topics, config),
        DetectionTopology.properties(config, topics, client(bootstrap), stateDir),
        bootstrap,
        from,
        stages);
  }

  /**
   * The client settings of a benchmarked Kafka Streams run: from the beginning of its input, and
   * -Dstreams.X=Y on top (for experiments: -Dstreams.commit.interval.ms=100
   * -Dstreams.num.stream.threads=2).
   */
  static Map<String, Object> client(String bootstrap) {
    Map<String, Object> client = new HashMap<>();
    client.put("bootstrap.servers", bootstrap);
    client.put("consumer.auto.offset.reset", "earliest");
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("streams."))
        .forEach(k -> client.put(k.substring("streams.".length()), System.getProperty(k)));
    return client;
  }

  /**
   * Runs {@code topology} from the beginning of {@code from} until its committed offsets reach the
   * end of it, and then of each of its internal topics {@code stages} (each read when the one
   * before is done); the wall time from {@code start}.
   */
  static Run untilCommitted(
      long start,
      org.apache.kafka.streams.Topology topology,
      java.util.Properties props,
      String bootstrap,
      io.labwatch.events.Topic<String, SensorEvent> from,
      List<String> stages) {
    String applicationId = props.getProperty("application.id");
    try (KafkaStreams streams = new KafkaStreams(topology, props);
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      AtomicLong running = new AtomicLong();
      streams.setStateListener(
          (now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
              running.compareAndSet(0, System.nanoTime());
            }
          });
      streams.start();
      Map<TopicPartition, Long> ends = ends(admin, from.name(), from.partitions());
      // then the internal topics through which alerts go, each read when the one before it is
      // done (for the ARP rules: the claims, the impostor rules' alerts; then the correlation's,
      // binding incidents' later records, which the impostor rules write too)
      List<String> next = new ArrayList<>(stages);
      long inputDone = 0;
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
        boolean done =
            ends.entrySet().stream()
                .allMatch(
                    e ->
                        e.getValue() == 0
                            || committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue());
        if (done && inputDone == 0) {
          inputDone = System.nanoTime();
        }
        if (done && !next.isEmpty()) {
          ends.putAll(repartitionEnds(admin, applicationId, next.remove(0)));
          continue;
        }
        if (done) {
          long end = System.nanoTime();
          Run run =
              new Run(
                  (end - start) / 1e9,
                  (running.get() - start) / 1e9,
                  streamThreadsCpu(),
                  where(streams, (inputDone - start) / 1e9, (end - start) / 1e9));
          streams.close(Duration.ofSeconds(30));
          return run;
        }
        Thread.sleep(20);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The floor of any Kafka Streams design whose per-address state changes with each record: the
   * same input and the detection's client settings (exactly-once, commit interval, polls, RocksDB
   * options), and one processor that reads each record's state from a persistent, logged store and
   * writes it back changed — a value of {@code valueBytes}, the detection's mean state size — with
   * Kafka Streams' record cache (its default size, 10 MB, across the tasks) holding states and
   * folding their writes between commits. No rules, no other output: whatever the detection does on
   * top of this costs more than it.
   */
  static Run floor(String bootstrap, Topics topics, Path stateDir, int valueBytes) {
    long start = System.nanoTime();
    String store = "state";
    org.apache.kafka.streams.Topology t = new org.apache.kafka.streams.Topology();
    t.addSource(
        "arp",
        topics.arp().keySerde().deserializer(),
        topics.arp().valueSerde().deserializer(),
        topics.arp().name());
    t.addProcessor(
        "state",
        () ->
            new org.apache.kafka.streams.processor.api.Processor<
                String, SensorEvent, Void, Void>() {
              private org.apache.kafka.streams.state.KeyValueStore<String, byte[]> states;

              @Override
              public void init(
                  org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
                states = context.getStateStore(store);
              }

              @Override
              public void process(
                  org.apache.kafka.streams.processor.api.Record<String, SensorEvent> r) {
                byte[] before = states.get(r.key());
                byte[] after = before == null ? new byte[valueBytes] : before.clone();
                after[0]++;
                states.put(r.key(), after);
              }
            },
        "arp");
    t.addStateStore(
        org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(store),
                org.apache.kafka.common.serialization.Serdes.String(),
                org.apache.kafka.common.serialization.Serdes.ByteArray())
            .withCachingEnabled(),
        "state");
    DetectionConfig config =
        DetectionConfig.defaults().withApplicationId("bench-floor-" + UUID.randomUUID());
    Map<String, Object> client = client(bootstrap);
    client.putIfAbsent("statestore.cache.max.bytes", 10L << 20);
    return untilCommitted(
        start,
        t,
        DetectionTopology.properties(config, topics, client, stateDir),
        bootstrap,
        topics.arp(),
        List.of());
  }

  /** The mean size of the values of the detection's per-IP state changelog(s) on the broker. */
  static int meanStateBytes(String bootstrap) throws Exception {
    List<String> changelogs;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      changelogs =
          admin.listTopics().names().get().stream()
              .filter(n -> n.endsWith("-ip-state-changelog"))
              .toList();
    }
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    long bytes = 0;
    long values = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            c,
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (String topic : changelogs) {
        consumer
            .partitionsFor(topic)
            .forEach(i -> tps.add(new TopicPartition(topic, i.partition())));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            bytes += r.value().length;
            values++;
          }
        }
      }
    }
    if (values == 0) {
      throw new IllegalStateException("no per-IP state on the broker: " + changelogs);
    }
    return (int) (bytes / values);
  }

  static Map<String, Integer> countAlerts(String bootstrap, Topics topics) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<String, Integer> out = new java.util.TreeMap<>();
    try (KafkaConsumer<String, Alert> consumer =
        new KafkaConsumer<>(
            c,
            topics.alerts().keySerde().deserializer(),
            topics.alerts().valueSerde().deserializer())) {
      List<TopicPartition> tps =
          consumer.partitionsFor(topics.alerts().name()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(200))) {
          out.merge(r.value().kind() + "/" + r.value().state(), 1, Integer::sum);
          // for a look at the alerts of one kind: -Dbench.show=SENSOR_SILENT
          if (r.value().kind().equals(System.getProperty("bench.show"))) {
            Alert a = r.value();
            System.out.printf(
                "  %s %s at %s (stream time): %s%n",
                a.kind(), a.state(), a.updatedAt(), a.summary());
          }
        }
      }
    }
    return out;
  }

  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * Where a detection run's wall time went, from the stream thread's and its clients' own metrics
   * (totals over the run): a row of the table {@link #WHERE_HEADER} heads.
   */
  static String where(KafkaStreams streams, double inputDone, double wall) {
    Map<String, Double> m = new HashMap<>();
    streams
        .metrics()
        .forEach(
            (name, metric) -> {
              Object v = metric.metricValue();
              if (v instanceof Number n && !Double.isNaN(n.doubleValue())) {
                m.merge(name.group() + ":" + name.name(), n.doubleValue(), Double::sum);
              }
            });
    double s = 1e9;
    return String.format(
        "| %6.2f | %9.2f | %7.2f | %8.2f | %7.0f | %7.2f | %7.2f | %6.0f | %7.0f |",
        wall,
        inputDone,
        m.getOrDefault("stream-thread-metrics:blocked-time-ns-total", 0d) / s,
        m.getOrDefault("producer-metrics:txn-commit-time-ns-total", 0d) / s,
        m.getOrDefault("stream-thread-metrics:commit-total", 0d),
        m.getOrDefault("producer-metrics:flush-time-ns-total", 0d) / s,
        m.getOrDefault("producer-metrics:txn-send-offsets-time-ns-total", 0d) / s,
        m.getOrDefault("stream-thread-metrics:poll-total", 0d),
        m.getOrDefault("stream-thread-metrics:poll-records-avg", 0d));
  }

  static final String WHERE_HEADER =
      "| wall s | input committed at s | blocked in Kafka s | txn commits s | commits | flush s"
          + " | send offsets s | polls | records/poll |%n"
          + "|--------|----------------------|--------------------|---------------|---------|---------"
          + "|----------------|-------|--------------|%n";

  /** CPU time of the stream threads alive now. */
  static long streamThreadsCpu() {
    long sum = 0;
    for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (t != null
          && t.getThreadName().contains("-StreamThread-")
          && !t.getThreadName().startsWith("kafka-producer")) {
        sum += Math.max(0, THREADS.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  /** The end offsets of the detection's internal repartition topic {@code name}, now. */
  static Map<TopicPartition, Long> repartitionEnds(Admin admin, String applicationId, String name)
      throws Exception {
    String topic = applicationId + "-" + name + "-repartition";
    int partitions =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    Map<TopicPartition, OffsetSpec> q = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      q.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(q).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  static Map<TopicPartition, Long> ends(Admin admin, String topic, int partitions)
      throws Exception {
    Map<TopicPartition, OffsetSpec> q = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      q.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, Long> out = new HashMap<>();
    admin.listOffsets(q).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  // ---- latency

  static void latency(String bootstrap, Path work) throws Exception {
    Topics topics = Topics.withPrefix("lat.");
    ensure(bootstrap, topics);
    DetectionConfig config =
        DetectionConfig.defaults().deterministic().withApplicationId("bench-latency");
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    Map<String, Long> order = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    int seconds = 60;
    try (KafkaStreams streams =
            new KafkaStreams(
                DetectionTopology.build(topics, config),
                DetectionTopology.properties(
                    config,
                    topics,
                    Map.of("bootstrap.servers", bootstrap),
                    work.resolve("lat-state")));
        KafkaProducer<String, SensorEvent> producer = producer(bootstrap, topics)) {
      streams.start();
      while (streams.state() != KafkaStreams.State.RUNNING) {
        Thread.sleep(50);
      }
      Thread reader = new Thread(() -> readAlerts(bootstrap, topics, seenAt, stop));
      reader.start();
      Traffic background = new Traffic(10_000);
      long start = System.nanoTime();
      long sent = 0;
      int conflicts = 0;
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
        long due = start + sent * 1_000_000L; // 1,000 observations per second
        long now = System.nanoTime();
        if (now < due) {
          Thread.sleep(Math.max(0, (due - now) / 1_000_000), (int) ((due - now) % 1_000_000));
          continue;
        }
        if (sent % 250 == 0) { // four conflicts a second, each on a fresh address
          IpAddress ip = IpAddress.of("10.250." + (conflicts / 250) + "." + (conflicts % 250 + 1));
          conflicts++;
          Instant t = Instant.now();
          send(producer, topics, reply(ip, MacAddress.fromLong(0x3cfdfe100000L + conflicts), t));
          send(
              producer,
              topics,
              reply(ip, MacAddress.fromLong(0x00a0de100000L + conflicts), t.plusMillis(1)));
          sentAt.put("IP_CONFLICT:" + ip, System.nanoTime());
          order.put("IP_CONFLICT:" + ip, (System.nanoTime() - start) / 1_000_000);
          sent += 2;
        } else {
          ArpObservation o = background.next(Instant.now());
          send(producer, topics, o);
          sent++;
        }
      }
      producer.flush();
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seenAt.size() < sentAt.size() && System.nanoTime() < waitUntil) {
        Thread.sleep(50);
      }
      stop.set(true);
      reader.join();
      if (Boolean.getBoolean("verbose")) {
        sentAt.keySet().stream()
            .filter(seenAt::containsKey)
            .sorted(java.util.Comparator.comparing(order::get))
            .forEach(
                k ->
                    System.out.printf(
                        "at %6d ms: %5d ms%n",
                        order.get(k), (seenAt.get(k) - sentAt.get(k)) / 1_000_000));
      }
      // the first seconds measure a cold JVM (JIT, first fetches): reported apart
      long warmupMs = 5_000;
      long[] ms =
          sentAt.entrySet().stream()
              .filter(e -> seenAt.containsKey(e.getKey()) && order.get(e.getKey()) >= warmupMs)
              .mapToLong(e -> (seenAt.get(e.getKey()) - e.getValue()) / 1_000_000)
              .sorted()
              .toArray();
      long[] cold =
          sentAt.entrySet().stream()
              .filter(e -> seenAt.containsKey(e.getKey()) && order.get(e.getKey()) < warmupMs)
              .mapToLong(e -> (seenAt.get(e.getKey()) - e.getValue()) / 1_000_000)
              .sorted()
              .toArray();
      System.out.printf(
          "%nlatency at 1,000 observations/s for %d s: %d conflicts, %d alerts seen (exactly-once, commit.interval.ms=1000, a commit asked for by each live alert)%n",
          seconds, sentAt.size(), ms.length);
      System.out.printf(
          "| %-44s | %8s | %8s | %8s |%n",
          "observation produced -> alert committed", "p50 ms", "p99 ms", "max ms");
      System.out.printf(
          "|%s|%s|%s|%s|%n", "-".repeat(46), "-".repeat(10), "-".repeat(10), "-".repeat(10));
      System.out.printf(
          "| %-44s | %8d | %8d | %8d |%n",
          "after the first 5 s (" + ms.length + " alerts)",
          pct(ms, 50),
          pct(ms, 99),
          ms.length == 0 ? -1 : ms[ms.length - 1]);
      System.out.printf(
          "| %-44s | %8d | %8d | %8d |%n",
          "the first 5 s, cold JVM (" + cold.length + " alerts)",
          pct(cold, 50),
          pct(cold, 99),
          cold.length == 0 ? -1 : cold[cold.length - 1]);
    }
  }

  static long pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static void readAlerts(
      String bootstrap, Topics topics, Map<String, Long> seenAt, AtomicBoolean stop) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, Alert> consumer =
        new KafkaConsumer<>(
            c,
            topics.alerts().keySerde().deserializer(),
            topics.alerts().valueSerde().deserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < topics.alerts().partitions(); p++) {
        parts.add(new TopicPartition(topics.alerts().name(), p));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (!stop.get()) {
        for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(10))) {
          seenAt.putIfAbsent(r.key(), System.nanoTime());
        }
      }
    }
  }

  static ArpObservation reply(IpAddress ip, MacAddress mac, Instant t) {
    return new ArpObservation(
        t,
        "bench",
        "eth0",
        null,
        PacketClass.REPLY,
        ip,
        mac,
        IpAddress.of("10.250.255.254"),
        MacAddress.of("52:54:00:00:00:01"),
        mac);
  }

  static void send(KafkaProducer<String, SensorEvent> p, Topics topics, ArpObservation o) {
    p.send(
        new ProducerRecord<>(topics.arp().name(), null, o.eventTime().toEpochMilli(), o.key(), o));
  }

  // ---- heap

  static void heap(String bootstrap, int addresses) throws Exception {
    Topics topics = Topics.withPrefix("heap" + UUID.randomUUID().toString().substring(0, 6) + ".");
    ensure(bootstrap, topics);
    List<ArpObservation> records = new ArrayList<>(addresses);
    Instant t = Traffic.START;
    for (int i = 0; i < addresses; i++) {
      IpAddress ip =
          IpAddress.fromBytes(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
      MacAddress mac = MacAddress.fromLong(0x3cfdfe000000L + i);
      records.add(reply(ip, mac, t.plusMillis(i)));
    }
    preload(bootstrap, topics, records);
    records = null;
    System.gc();
    long before = usedHeapAfterGc();
    Path state = Files.createTempDirectory("labwatch-bench-heap");
    DetectionConfig config =
        DetectionConfig.defaults()
            .deterministic()
            .withApplicationId("bench-heap-" + UUID.randomUUID());
    long start = System.nanoTime();
    try (KafkaStreams streams =
            new KafkaStreams(
                DetectionTopology.build(topics, config),
                DetectionTopology.properties(
                    config,
                    topics,
                    Map.of(
                        "bootstrap.servers", bootstrap, "consumer.auto.offset.reset", "earliest"),
                    state));
        Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      streams.start();
      Map<TopicPartition, Long> ends = ends(admin, topics.arp().name(), topics.arp().partitions());
      long peak = 0;
      while (true) {
        peak = Math.max(peak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(config.applicationId())
                .partitionsToOffsetAndMetadata()
                .get();
        if (ends.entrySet().stream()
            .allMatch(
                e ->
                    committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue())) {
          break;
        }
        Thread.sleep(200);
      }
      double secs = (System.nanoTime() - start) / 1e9;
      long after = usedHeapAfterGc();
      long stateBytes;
      try (var files = Files.walk(state)) {
        stateBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      System.out.printf(
          "%nheap with %,d addresses tracked (one observation each, %.0f s to process, JVM -Xmx%d m)%n",
          addresses, secs, Runtime.getRuntime().maxMemory() >> 20);
      System.out.printf("| %-40s | %10s |%n", "measure", "MB");
      System.out.printf("|%s|%s|%n", "-".repeat(42), "-".repeat(12));
      System.out.printf(
          "| %-40s | %10d |%n", "heap used before the detection (after GC)", before >> 20);
      System.out.printf("| %-40s | %10d |%n", "heap used, all tracked (after GC)", after >> 20);
      System.out.printf(
          "| %-40s | %10d |%n", "heap used, highest sample while working", peak >> 20);
      System.out.printf(
          "| %-40s | %10d |%n", "state on disk (RocksDB, dataDir/streams)", stateBytes >> 20);
      System.out.printf(
          "stores: %s%n",
          Arrays.toString(
              new String[] {DetectionTopology.IP_STATE_STORE, DetectionTopology.TIMER_STORE}));
      streams.close(Duration.ofSeconds(30));
    }
  }

  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
