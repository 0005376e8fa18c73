package io.labwatch.sinks.slack;

import io.labwatch.events.Alert;
import io.labwatch.events.DeadLetters;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Silence;
import io.labwatch.events.Topics;
import io.labwatch.sinks.AlertText;
import io.labwatch.sinks.LiveTable;
import io.labwatch.sinks.SlackCounts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
 *
 * <p>Silences: the sink follows the compacted {@code silences} topic (key: a silence's id; value:
 * {@link Silence}) and holds back every record of an incident an active silence matches; when the
 * silence ends while the incident still fires, it announces the incident once more ({@link
 * SilenceGate}). A held-back record is not owed later: the next commit covers it.
 */
public final class SlackSink implements SlackCounts, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SlackSink.class);

  /** How long a stop goes on delivering what is waiting (the detection's last alerts). */
  static final Duration DRAIN = Duration.ofSeconds(5);

  /** Refusals that are about one message; any other permanent error is about the setup. */
  private static final Set<String> MESSAGE_ERRORS =
      Set.copyOf(DeadLetters.KNOWN_CODES.get(DeadLetters.SLACK_SINK));

  private final SlackConfig config;
  private final Topics topics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final JsonSerde<Alert> alerts = JsonSerde.of(Alert.class);
  private final Retry retry;
  private final Poster poster;
  private final Digests digests;
  private final LiveTable<Silence> silences;
  private final SilenceGate gate;
  private final Thread thread;

  private final FirstStart firstStart;
  private final Map<TopicPartition, Long> committedUpTo = new HashMap<>();

  private volatile boolean stopped;
  private volatile boolean draining;
  private volatile long drainDeadlineNanos;
  private volatile String failure;
  private volatile String refusal;

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong held = new AtomicLong();

  private SlackSink(SlackConfig config, Topics topics, Map<String, Object> clientProperties) {
    this.config = config;
    this.topics = topics;
    this.silences = LiveTable.follow(topics.silences(), clientProperties);
    this.gate = new SilenceGate(() -> silences.now().values(), Clock.systemUTC());
    try {
      // the incidents as they are, so that one silenced before this start is announced again
      // when its silence ends after it
      gate.seed(
          LiveTable.snapshot(topics.alerts(), clientProperties).values().stream()
              .filter(a -> config.wants(a.kind(), a.severity()))
              .toList());
    } catch (RuntimeException e) {
      silences.close();
      throw e;
    }
    Map<String, Object> c = new HashMap<>(clientProperties);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // a new group starts where the topic ended when the sink started (see FirstStart):
    // adding Slack to a running lab does not replay a year, and loses nothing raised since
    c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // while Slack is down the sink waits on purpose; that must not cost it its partitions
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.MAX_VALUE);
    c.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "labwatch-slack");
    this.consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.firstStart = new FirstStart(consumer, topics.alerts().name());
    Map<String, Object> p = new HashMap<>(clientProperties);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "labwatch-slack");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    IncidentThreads threads =
        config.botMode()
            ? IncidentThreads.read(topics.slackThreads(), clientProperties, producer)
            : IncidentThreads.none(topics.slackThreads(), producer);
    SlackApi api = new SlackApi(config);
    this.retry = new Retry(new RateLimiter(config.burst()), () -> stopped || drainOver());
    this.poster = new Poster(config, api, retry, threads);
    this.digests = new Digests(config, api, retry, topics.dlq().name());
    this.thread = new Thread(this::run, "labwatch-slack-sink");
  }

  /** Starts delivering; returns at once. */
  public static SlackSink start(
      SlackConfig config, Topics topics, Map<String, Object> clientProperties) {
    if (!config.enabled()) {
      throw new IllegalStateException("Slack is not configured");
    }
    SlackSink sink = new SlackSink(config, topics, clientProperties);
    sink.consumer.subscribe(List.of(topics.alerts().name()), sink.firstStart);
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
   * Null while the sink delivers; else why not: it stopped, or Slack has not taken a message for a
   * minute (alerts wait in Kafka meanwhile).
   */
  public String problem() {
    if (failure != null) {
      return failure;
    }
    String s = silences.problem();
    if (s != null) {
      return s + " (silences added or ended since are not honoured)";
    }
    String r = refusal;
    if (r != null) {
      return "Slack refuses every message ("
          + r
          + "): check the webhook, or the token and channel; refused alerts are dead-lettered ("
          + deadLettered.get()
          + " so far)";
    }
    Retry.Trouble t = retry.trouble();
    if (t != null && t.lasting().toSeconds() >= 60) {
      return "Slack has taken no message for "
          + t.lasting().toSeconds()
          + " s ("
          + t.reason()
          + "); alerts wait in Kafka";
    }
    return null;
  }

  @Override
  public long delivered() {
    return delivered.get();
  }

  @Override
  public long deadLettered() {
    return deadLettered.get();
  }

  @Override
  public long retries() {
    return retry.retries();
  }

  @Override
  public long digests() {
    return digests.sent();
  }

  /** Alert records held back because a silence matched them. */
  public long held() {
    return held.get();
  }

  /** The silences this sink knows of now, active or not, by id. */
  public Map<String, Silence> silences() {
    return silences.now();
  }

  private void run() {
    try {
      while (!stopped && !drainOver()) {
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        consumer.poll(Duration.ofMillis(200)).forEach(batch::add);
        if (!batch.isEmpty()) {
          handle(batch);
        }
        announceEndedSilences();
        if (batch.isEmpty()) {
          commitIdlePositions();
          if (draining) {
            break; // nothing more waiting
          }
        }
      }
    } catch (Retry.Stopped e) {
      // closing
    } catch (RuntimeException e) {
      failure = "stopped: " + e;
      log.error("the Slack sink stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
      producer.close(Duration.ofSeconds(5));
      silences.close();
    }
  }

  /** Each firing incident whose silence ended: one message saying it still fires. */
  private void announceEndedSilences() {
    for (SilenceGate.Ended e : gate.ended()) {
      Alert a = e.alert();
      Delivery d = poster.postSilenceEnded(a, e.silence());
      if (d instanceof Delivery.Permanent p) {
        log.warn(
            "Slack refused to say that the silence {} over {} ended: {}",
            e.silence().id(),
            a.fingerprint(),
            p.error());
      } else {
        log.info(
            "the silence {} over {} ended while it fires: announced again",
            e.silence().id(),
            a.fingerprint());
      }
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
        deadLetter(r, DeadLetters.UNDECODABLE, e.getMessage());
        commit(r);
        continue;
      }
      if (a == null || !config.wants(a.kind(), a.severity())) {
        commit(r);
        continue;
      }
      Silence over = gate.hold(a);
      if (over != null) {
        // not committed here: a commit past alerts of this batch still waiting for Slack would
        // lose them in a crash; the next commit or the idle one covers it
        held.incrementAndGet();
        log.debug(
            "{} ({}) held back: silence {} until {}",
            a.fingerprint(),
            AlertText.stage(a).isEmpty() ? "event" : AlertText.stage(a),
            over.id(),
            over.endsAt());
        continue;
      }
      toSend.add(r);
      decoded.add(a);
    }
    if (toSend.size() > config.digestThreshold()) {
      digests.send(decoded, (i, d) -> account(toSend.get(i), decoded.get(i), d));
      // committed once all digests are out: a digest for one channel must not commit past alerts
      // that wait for another's (a crash in between re-sends a digest, and loses nothing)
      commitAll(toSend);
      return;
    }
    for (int i = 0; i < toSend.size(); i++) {
      // the alert in hand stays uncommitted when the sink stops while waiting for Slack
      finish(toSend.get(i), decoded.get(i), poster.post(decoded.get(i)));
    }
  }

  private void commitAll(List<ConsumerRecord<byte[], byte[]>> records) {
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
      String code = code(p.error());
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
   * The dead letter's code of a refusal ({@link DeadLetters#CODE}, a label value on /metrics):
   * Slack's error code ({@code invalid_payload}, or the first word of a webhook's answer), or
   * {@code http_404} when all there is is a status.
   */
  static String code(String error) {
    String[] words = error.strip().split("\\s+", 3);
    String code = words[0].equals("HTTP") && words.length > 1 ? "http_" + words[1] : words[0];
    String snake = code.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
    return snake.isEmpty() ? "unknown" : snake;
  }

  private boolean drainOver() {
    return draining && System.nanoTime() - drainDeadlineNanos >= 0;
  }

  private void deadLetter(ConsumerRecord<byte[], byte[]> r, String code, String reason) {
    try {
      producer
          .send(DeadLetters.of(topics.dlq().name(), r, DeadLetters.SLACK_SINK, code, reason))
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
