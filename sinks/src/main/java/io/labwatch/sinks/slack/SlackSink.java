package io.labwatch.sinks.slack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.SlackThread;
import io.labwatch.events.Topics;
import io.labwatch.sinks.AlertText;
import io.labwatch.sinks.CompactedTopic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the {@code alerts} topic to Slack, in order, losing nothing.
 *
 * <p>An alert's offset is committed only once Slack accepted it (or refused it for good: then it
 * goes to the dead-letter topic with Slack's error). Rate limits (429) wait the Retry-After; server
 * errors, timeouts and lost connections are retried with exponential backoff and jitter for as long
 * as it takes, while later alerts wait in Kafka. So after a crash at most the one message in flight
 * is posted twice; after a clean stop, none.
 *
 * <p>Bot mode keeps each incident's first message, edits it as the incident changes, and posts
 * updates and the resolution as replies in its thread; where the message is survives restarts on
 * the compacted {@code slack-threads} topic. A webhook can do neither: updates are new messages
 * that quote the incident id. More than {@code digestThreshold} alerts waiting at once go out as
 * one digest message per channel.
 */
public final class SlackSink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SlackSink.class);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  private static final String WEBHOOK = "(webhook)";

  private final SlackConfig config;
  private final Topics topics;
  private final SlackApi api;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final JsonSerde<Alert> alerts = JsonSerde.of(Alert.class);
  private final Map<String, SlackThread> threads;
  private final RateLimiter limiter;
  private final Thread thread;

  /** Errors of chat.update that mean the incident's message is no longer there to edit. */
  private static final Set<String> GONE =
      Set.of("message_not_found", "cant_update_message", "edit_window_closed");

  private final Map<TopicPartition, Long> startPositions;
  private final Map<TopicPartition, Long> committedUpTo = new HashMap<>();
  private volatile boolean stopped;

  /** How long a stop goes on delivering what is waiting (the detection's last alerts). */
  static final Duration DRAIN = Duration.ofSeconds(5);

  private volatile boolean draining;
  private volatile long drainDeadlineNanos;
  private volatile String failure;
  private volatile String trouble;
  private volatile String refusal;

  /** Refusals that are about one message; any other permanent error is about the setup. */
  private static final Set<String> MESSAGE_ERRORS =
      Set.of(
          "invalid_payload",
          "invalid_blocks",
          "invalid_blocks_format",
          "msg_too_long",
          "no_text",
          "too_many_attachments",
          "invalid_attachments",
          "undecodable");

  private volatile long troubleSinceNanos;

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong digests = new AtomicLong();

  private SlackSink(SlackConfig config, Topics topics, Map<String, Object> clientProperties) {
    this.config = config;
    this.topics = topics;
    this.api = new SlackApi(config);
    this.limiter = new RateLimiter(config.burst());
    Map<String, Object> c = new HashMap<>(clientProperties);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // a new group starts where the topic ended when the sink started (see startPositions):
    // adding Slack to a running lab does not replay a year, and loses nothing raised since
    c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // while Slack is down the sink waits on purpose; that must not cost it its partitions
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.MAX_VALUE);
    c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-slack");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.startPositions =
        consumer.endOffsets(
            consumer.partitionsFor(topics.alerts().name(), Duration.ofSeconds(15)).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList(),
            Duration.ofSeconds(15));
    Map<String, Object> p = new HashMap<>(clientProperties);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "labwatch-slack");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    this.threads =
        config.botMode()
            ? new HashMap<>(CompactedTopic.read(topics.slackThreads(), clientProperties))
            : new HashMap<>();
    this.thread = new Thread(this::run, "labwatch-slack-sink");
  }

  /** Starts delivering; returns at once. */
  public static SlackSink start(
      SlackConfig config, Topics topics, Map<String, Object> clientProperties) {
    if (!config.enabled()) {
      throw new IllegalStateException("Slack is not configured");
    }
    SlackSink sink = new SlackSink(config, topics, clientProperties);
    sink.consumer.subscribe(List.of(topics.alerts().name()), sink.new FirstStart());
    sink.thread.start();
    log.info(
        "delivering {} to Slack ({})",
        topics.alerts().name(),
        config.botMode()
            ? "bot, channel " + config.channel()
            : "webhook " + SlackConfig.redact(config.webhookUrl()));
    return sink;
  }

  /**
   * A partition the group has never committed starts at the topic's end as it was when this sink
   * started — not at the end when the group is first assigned, a few seconds later, which would
   * skip an alert raised in between (labwatch run's first minutes).
   */
  private final class FirstStart implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
      for (TopicPartition p : partitions) {
        if (committed.get(p) == null) {
          consumer.seek(p, startPositions.getOrDefault(p, 0L));
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // offsets are committed per delivered alert, never in bulk here
    }
  }

  /**
   * Null while the sink delivers; else why not: it stopped, or Slack has not taken a message for a
   * minute (alerts wait in Kafka meanwhile).
   */
  public String problem() {
    if (failure != null) {
      return failure;
    }
    String r = refusal;
    if (r != null) {
      return "Slack refuses every message ("
          + r
          + "): check the webhook, or the token and channel; refused alerts are dead-lettered ("
          + deadLettered.get()
          + " so far)";
    }
    String t = trouble;
    if (t != null) {
      long seconds = (System.nanoTime() - troubleSinceNanos) / 1_000_000_000L;
      if (seconds >= 60) {
        return "Slack has taken no message for " + seconds + " s (" + t + "); alerts wait in Kafka";
      }
    }
    return null;
  }

  public long delivered() {
    return delivered.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }

  public long retries() {
    return retries.get();
  }

  public long digests() {
    return digests.get();
  }

  private void run() {
    try {
      while (!stopped && !drainOver()) {
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        consumer.poll(Duration.ofMillis(200)).forEach(batch::add);
        if (!batch.isEmpty()) {
          handle(batch);
        } else {
          commitIdlePositions();
          if (draining) {
            break; // nothing more waiting
          }
        }
      }
    } catch (Stopped e) {
      // closing
    } catch (RuntimeException e) {
      failure = "stopped: " + e;
      log.error("the Slack sink stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** Stopping while waiting for Slack: the alert in hand stays uncommitted, for the next start. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  private void handle(List<ConsumerRecord<byte[], byte[]>> batch) {
    List<ConsumerRecord<byte[], byte[]>> toSend = new ArrayList<>();
    List<Alert> decoded = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      Alert a;
      try {
        a = alerts.deserialize(r.topic(), r.value());
      } catch (RuntimeException e) {
        deadLetter(r, "undecodable", e.getMessage());
        commit(r);
        continue;
      }
      if (a == null || !config.wants(a.kind(), a.severity())) {
        commit(r);
        continue;
      }
      toSend.add(r);
      decoded.add(a);
    }
    if (toSend.size() > config.digestThreshold()) {
      sendDigests(toSend, decoded);
      return;
    }
    for (int i = 0; i < toSend.size(); i++) {
      deliver(toSend.get(i), decoded.get(i));
    }
  }

  private void deliver(ConsumerRecord<byte[], byte[]> record, Alert a) {
    ObjectNode message = SlackMessages.message(a);
    if (!config.botMode()) {
      finish(record, a, call(WEBHOOK, () -> api.webhook(message)));
      return;
    }
    String channel = config.channelFor(a.kind());
    SlackThread root = threads.get(a.incidentId());
    if (root != null) {
      // the first message shows the incident as it is now; the thread tells what changed
      Delivery edited = call(root.channel(), () -> api.update(root.channel(), root.ts(), message));
      if (edited instanceof Delivery.Ok) {
        finish(record, a, call(root.channel(), () -> api.post(root.channel(), message, root.ts())));
        return;
      }
      if (!(edited instanceof Delivery.Permanent p && GONE.contains(p.error()))) {
        finish(record, a, edited);
        return;
      }
      // someone deleted the message (or it can no longer be edited): start a new one
      log.info(
          "the Slack message of {} is gone ({}): posting a new one", a.incidentId(), p.error());
      threads.remove(a.incidentId());
    }
    {
      Delivery d = call(channel, () -> api.post(channel, message, null));
      if (d instanceof Delivery.Ok ok
          && !a.isEvent()
          && a.state() == AlertState.FIRING
          && ok.ts() != null) {
        remember(
            a.incidentId(),
            new SlackThread(ok.channel() == null ? channel : ok.channel(), ok.ts()));
      }
      finish(record, a, d);
    }
  }

  private void sendDigests(List<ConsumerRecord<byte[], byte[]>> records, List<Alert> batch) {
    Map<String, List<Integer>> byChannel = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Alert a = batch.get(i);
      byChannel
          .computeIfAbsent(
              config.botMode() ? config.channelFor(a.kind()) : WEBHOOK, c -> new ArrayList<>())
          .add(i);
    }
    log.info(
        "{} alerts are waiting at once: sending them as {} digest message(s)",
        batch.size(),
        byChannel.size());
    for (Map.Entry<String, List<Integer>> e : byChannel.entrySet()) {
      ObjectNode digest = SlackMessages.digest(e.getValue().stream().map(batch::get).toList());
      String channel = e.getKey();
      Delivery d =
          call(
              channel,
              () -> config.botMode() ? api.post(channel, digest, null) : api.webhook(digest));
      if (d instanceof Delivery.Permanent p) {
        log.warn(
            "Slack refused a digest of {} alerts: {}; they go to {}",
            e.getValue().size(),
            p.error(),
            topics.dlq().name());
      } else {
        digests.incrementAndGet();
      }
      for (int i : e.getValue()) {
        account(records.get(i), batch.get(i), d);
      }
    }
    // committed once all digests are out: a digest for one channel must not commit past alerts
    // that wait for another's (a crash in between re-sends a digest, and loses nothing)
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      next.merge(
          new TopicPartition(r.topic(), r.partition()),
          new OffsetAndMetadata(r.offset() + 1),
          (x, y) -> x.offset() >= y.offset() ? x : y);
    }
    consumer.commitSync(next);
    next.forEach((p, o) -> committedUpTo.put(p, o.offset()));
  }

  private void finish(ConsumerRecord<byte[], byte[]> record, Alert a, Delivery d) {
    account(record, a, d);
    commit(record);
  }

  /** Counts an answered alert; one Slack refused for good goes to the dead letters. */
  private void account(ConsumerRecord<byte[], byte[]> record, Alert a, Delivery d) {
    if (d instanceof Delivery.Permanent p) {
      String code = p.error().split(" ", 2)[0];
      if (!MESSAGE_ERRORS.contains(code)) {
        refusal = p.error();
      }
      long n = deadLettered.incrementAndGet();
      log.warn(
          "Slack refused {} ({}): {}; it goes to {}{}",
          a.fingerprint(),
          AlertText.stage(a).isEmpty() ? "event" : AlertText.stage(a),
          p.error(),
          topics.dlq().name(),
          n == 1 ? "" : " (" + n + " so far)");
      deadLetter(record, code, "slack: " + p.error());
    } else {
      refusal = null;
      delivered.incrementAndGet();
    }
  }

  /**
   * Calls Slack until it answers for good: waits out rate limits, retries failures with backoff.
   */
  private Delivery call(String channel, java.util.function.Supplier<Delivery> request) {
    Duration backoff = FIRST_BACKOFF;
    boolean complained = false;
    while (true) {
      pause(limiter.acquireNanos(channel, System.nanoTime()));
      Delivery d = request.get();
      if (d instanceof Delivery.Ok || d instanceof Delivery.Permanent) {
        if (complained) {
          log.info("Slack accepts messages again");
        }
        trouble = null;
        return d;
      }
      if (trouble == null) {
        troubleSinceNanos = System.nanoTime();
      }
      trouble = d instanceof Delivery.Transient t ? t.reason() : "rate limited";
      retries.incrementAndGet();
      Duration wait;
      if (d instanceof Delivery.RetryAfter r) {
        wait = r.after();
      } else {
        wait = backoff.plusMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1));
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
      if (!complained) {
        log.warn(
            "Slack did not take a message ({}); retrying{} until it does, alerts wait in Kafka",
            d instanceof Delivery.Transient t ? t.reason() : "rate limited",
            d instanceof Delivery.RetryAfter
                ? " after " + wait.toSeconds() + " s"
                : " with backoff");
        complained = true;
      }
      pause(wait.toNanos());
    }
  }

  private boolean drainOver() {
    return draining && System.nanoTime() - drainDeadlineNanos >= 0;
  }

  private void pause(long nanos) {
    long end = System.nanoTime() + nanos;
    while (!stopped && !drainOver()) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stopped();
      }
    }
    throw new Stopped();
  }

  private void remember(String incidentId, SlackThread where) {
    threads.put(incidentId, where);
    try {
      producer
          .send(
              new ProducerRecord<>(
                  topics.slackThreads().name(),
                  incidentId.getBytes(StandardCharsets.UTF_8),
                  topics
                      .slackThreads()
                      .valueSerde()
                      .serializer()
                      .serialize(topics.slackThreads().name(), where)))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the message is posted; losing its place costs threading for this incident, not the alert
      log.warn("cannot record where {}'s Slack message is: {}", incidentId, e.toString());
    }
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String code, String reason) {
    try {
      producer
          .send(DeadLetters.of(topics.dlq().name(), r, "sink.slack", code, reason))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new LabwatchException(
          "cannot write to " + topics.dlq().name() + ": " + e.getMessage(), e);
    }
  }

  private void commit(ConsumerRecord<byte[], byte[]> r) {
    TopicPartition p = new TopicPartition(r.topic(), r.partition());
    consumer.commitSync(Map.of(p, new OffsetAndMetadata(r.offset() + 1)));
    committedUpTo.put(p, r.offset() + 1);
  }

  /**
   * Nothing is waiting: commits the positions, which may be past the last alert — the detection
   * writes alerts in transactions, and each ends with a marker that takes an offset. Without this,
   * the group's lag would never fall below one per partition.
   */
  private void commitIdlePositions() {
    Map<TopicPartition, OffsetAndMetadata> move = new HashMap<>();
    for (TopicPartition p : consumer.assignment()) {
      long position = consumer.position(p);
      Long done = committedUpTo.get(p);
      if (done == null || position > done) {
        move.put(p, new OffsetAndMetadata(position));
      }
    }
    if (!move.isEmpty()) {
      consumer.commitSync(move);
      move.forEach((p, o) -> committedUpTo.put(p, o.offset()));
    }
  }

  /**
   * Delivers what is waiting for up to {@link #DRAIN}, then stops after the message in hand is
   * posted and committed (or at once, while waiting for Slack: then it was not posted, and is
   * delivered after the next start). No wakeup: interrupting the commit of a posted message would
   * post it again after a clean restart.
   */
  @Override
  public void close() {
    // first deliver what is waiting, for a while; what is left goes out after the next start
    drainDeadlineNanos = System.nanoTime() + DRAIN.toNanos();
    draining = true;
    try {
      thread.join(DRAIN.plusSeconds(12).toMillis());
      stopped = true;
      thread.join(5_000);
    } catch (InterruptedException e) {
      stopped = true;
      Thread.currentThread().interrupt();
    }
  }
}
