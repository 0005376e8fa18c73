package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.RecordPrinter;
import io.labwatch.app.kafka.TimeRangeReader;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topic;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch tail TOPIC}: records as JSON lines, decoded with labwatch's contract. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print a topic's records as JSON lines: topic, partition, offset, timestamp, key, value"
          + " and headers. Values of labwatch's topics are decoded with the event contract;"
          + " records that do not decode are shown with the reason (valueError).",
      "",
      "Starts at the end and waits for new records, unless --from-beginning or --since says"
          + " otherwise. Stops at Ctrl-C, after --max records, or with --exit-at-end at the end"
          + " of the topic. Reads without a consumer group: nothing is committed.",
      "",
      "With --from (and --to, default now) it prints a time range instead, merged across the"
          + " topic's partitions in timestamp order, and stops at its end. Times: "
          + Times.FORMS
          + ".",
      "",
      "Examples:",
      "  labwatch tail alerts --from-beginning --exit-at-end",
      "  labwatch tail labwatch.arp --since 10m --max 100",
      "  labwatch tail arp --from 2026-11-24T08:00Z --to 2026-11-24T09:00Z --key 10.77.0.10"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class TailCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Parameters(
      index = "0",
      paramLabel = "TOPIC",
      description =
          "Topic to read: a labwatch topic by full or short name (alerts, arp, dlq), or any other.")
  String topicName;

  @ArgGroup(exclusive = true)
  Start start = new Start();

  static final class Start {
    @Option(names = "--from-beginning", description = "Start at the oldest record kept.")
    boolean fromBeginning;

    @Option(
        names = "--since",
        paramLabel = "WHEN",
        description =
            "Start at records this recent (10m, 2h, 1d) or since a time (2026-11-25T14:00:00Z).")
    String since;

    @Option(
        names = "--from",
        paramLabel = "WHEN",
        description = "Print the range from this time to --to, in timestamp order, then stop.")
    String from;
  }

  @Option(
      names = "--to",
      paramLabel = "WHEN",
      description = "End of the --from range (exclusive). Default: now.")
  String to;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "Only records with this key (an IP address for arp, a host name for host).")
  String key;

  @Option(
      names = {"-n", "--max"},
      paramLabel = "N",
      description = "Stop after N records.")
  Long max;

  @Option(
      names = {"-e", "--exit-at-end"},
      description = "Stop at the end of the topic instead of waiting for new records.")
  boolean exitAtEnd;

  @Override
  public Integer call() {
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    if (max != null && max < 0) {
      throw new LabwatchException("--max must be >= 0, got " + max);
    }
    Instant since = start.since == null ? null : Times.parse("--since", start.since, Instant.now());
    if (to != null && start.from == null) {
      throw new LabwatchException("--to goes with --from");
    }
    Topic<?, ?> topic = config.catalogue().find(topicName).orElse(null);
    String name = topic != null ? topic.name() : topicName;
    String bootstrap = config.bootstrapServers();
    if (start.from != null) {
      Times.Range range = Times.range(start.from, to);
      KafkaAccess.connectedAdmin(config.kafkaClientProperties()).close();
      return range(ctx, config, topic, name, range.from(), range.to());
    }
    KafkaAccess.connectedAdmin(config.kafkaClientProperties()).close();

    Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-tail");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);

    KafkaConsumer<byte[], byte[]> consumer;
    try {
      consumer = new KafkaConsumer<>(props);
    } catch (KafkaException e) {
      throw KafkaAccess.explainClientConfig(e, bootstrap);
    }
    Shutdown shutdown = ctx.shutdown();
    CountDownLatch finished = new CountDownLatch(1);
    AutoCloseable stop =
        () -> {
          consumer.wakeup();
          finished.await(5, TimeUnit.SECONDS);
        };
    shutdown.register("tail", stop);
    try (consumer) {
      List<TopicPartition> partitions = partitions(consumer, name);
      consumer.assign(partitions);
      seek(consumer, partitions, since);
      Map<TopicPartition, Long> ends = exitAtEnd ? consumer.endOffsets(partitions) : Map.of();
      read(consumer, new RecordPrinter(topic), ends, ctx.out(), shutdown);
    } catch (WakeupException e) {
      // stopped by Ctrl-C: a normal end
    } finally {
      shutdown.deregister(stop);
      finished.countDown();
    }
    return ExitCode.OK;
  }

  /** --from/--to: the range, merged across partitions in timestamp order. */
  private int range(
      CliContext ctx,
      LabwatchConfig config,
      Topic<?, ?> topic,
      String name,
      Instant from,
      Instant to) {
    RecordPrinter printer = new RecordPrinter(topic);
    PrintWriter out = ctx.out();
    long[] printed = {0};
    byte[] wanted = key == null ? null : key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (TimeRangeReader reader =
        new TimeRangeReader(
            config.kafkaClientProperties(), List.of(name), from, to, "labwatch-tail")) {
      reader.forEach(
          r -> {
            if (wanted != null && !java.util.Arrays.equals(wanted, r.key())) {
              return;
            }
            if (max == null || printed[0] < max) {
              out.println(printer.toJson(r));
              printed[0]++;
            }
          },
          () -> ctx.shutdown().isStopRequested() || (max != null && printed[0] >= max));
    }
    out.flush();
    return ExitCode.OK;
  }

  private void read(
      KafkaConsumer<byte[], byte[]> consumer,
      RecordPrinter printer,
      Map<TopicPartition, Long> ends,
      PrintWriter out,
      Shutdown shutdown) {
    long printed = 0;
    while (!shutdown.isStopRequested()) {
      if (max != null && printed >= max) {
        return;
      }
      if (exitAtEnd && atEnd(consumer, ends)) {
        return;
      }
      ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (key != null
            && !key.equals(
                r.key() == null
                    ? null
                    : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
          continue;
        }
        if (exitAtEnd
            && r.offset()
                >= ends.getOrDefault(
                    new TopicPartition(r.topic(), r.partition()), Long.MAX_VALUE)) {
          continue;
        }
        out.println(printer.toJson(r));
        if (max != null && ++printed >= max) {
          break;
        }
      }
      out.flush();
    }
  }

  private static boolean atEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static List<TopicPartition> partitions(
      KafkaConsumer<byte[], byte[]> consumer, String name) {
    List<PartitionInfo> infos = consumer.partitionsFor(name, KafkaAccess.CONNECT_TIMEOUT);
    if (infos == null || infos.isEmpty()) {
      throw new LabwatchException(
          "topic " + name + " does not exist (`labwatch topics` creates labwatch's topics)");
    }
    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  private void seek(
      KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Instant since) {
    if (start.fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else if (since != null) {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, since.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp at = found.get(tp);
        consumer.seek(tp, at != null ? at.offset() : ends.get(tp));
      }
    } else {
      consumer.seekToEnd(partitions);
    }
  }
}
