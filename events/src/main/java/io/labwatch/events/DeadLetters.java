package io.labwatch.events;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers a dead-lettered record carries on the {@code dlq} topic, next to its original key and
 * value bytes.
 */
public final class DeadLetters {

  /** Why the record could not be used: one line. */
  public static final String REASON = "labwatch.dlq.reason";

  /**
   * Why, as a short code from a small set (e.g. {@code undecodable}, or Slack's error such as
   * {@code invalid_payload}): what metrics count by, where the reason's text would be unbounded.
   */
  public static final String CODE = "labwatch.dlq.code";

  /** The labwatch component that gave up on it, e.g. {@code sink.slack}. */
  public static final String COMPONENT = "labwatch.dlq.component";

  /** Where it came from, when it came from a topic. */
  public static final String SOURCE_TOPIC = "labwatch.dlq.source.topic";

  public static final String SOURCE_PARTITION = "labwatch.dlq.source.partition";
  public static final String SOURCE_OFFSET = "labwatch.dlq.source.offset";

  /** {@link #COMPONENT}: the detection (its Kafka Streams deserialization handler). */
  public static final String DETECT = "detect";

  /** {@link #COMPONENT}: the Slack sink. */
  public static final String SLACK_SINK = "sink.slack";

  /** {@link #CODE}: the record's bytes are not a value labwatch reads (corrupt, a newer schema). */
  public static final String UNDECODABLE = "undecodable";

  /**
   * {@link #CODE}s of Slack refusing one message for good (its API's error codes). Any other code
   * Slack answers is about the set-up (a bad token, a channel gone, {@code http_404}) and the set
   * of those is open: Slack adds codes.
   */
  public static final List<String> SLACK_MESSAGE_REFUSALS =
      List.of(
          "invalid_payload",
          "invalid_blocks",
          "invalid_blocks_format",
          "msg_too_long",
          "no_text",
          "too_many_attachments",
          "invalid_attachments");

  /**
   * The codes each component is known to dead-letter with, by component: what the Prometheus sink
   * exports from 0 at its start. Not every code there can be (see {@link #SLACK_MESSAGE_REFUSALS}).
   */
  public static final Map<String, List<String>> KNOWN_CODES = knownCodes();

  private static Map<String, List<String>> knownCodes() {
    Map<String, List<String>> known = new LinkedHashMap<>();
    known.put(DETECT, List.of(UNDECODABLE));
    known.put(
        SLACK_SINK,
        Stream.concat(Stream.of(UNDECODABLE), SLACK_MESSAGE_REFUSALS.stream()).toList());
    return Collections.unmodifiableMap(known);
  }

  private DeadLetters() {}

  /**
   * The dead letter of a record read from a topic: its key and value bytes and headers as they
   * were, labwatch's headers added, on the dead-letter topic {@code dlqTopic}, with the record's
   * timestamp when it has one (a record without one gets the time it is dead-lettered).
   *
   * @param component the labwatch component that gives up on it, e.g. {@code sink.slack}
   * @param code a short code from a small set, see {@link #CODE}
   * @param reason one line; only its first line is kept
   */
  public static ProducerRecord<byte[], byte[]> of(
      String dlqTopic,
      ConsumerRecord<byte[], byte[]> record,
      String component,
      String code,
      String reason) {
    Long timestamp = record.timestamp() >= 0 ? record.timestamp() : null;
    return new ProducerRecord<>(
        dlqTopic,
        null,
        timestamp,
        record.key(),
        record.value(),
        headers(record, component, code, reason));
  }

  /** The original record's headers followed by labwatch's dead-letter headers. */
  public static Headers headers(
      ConsumerRecord<?, ?> record, String component, String code, String reason) {
    RecordHeaders headers = new RecordHeaders();
    record.headers().forEach(headers::add);
    headers.add(REASON, bytes(firstLine(reason)));
    headers.add(CODE, bytes(code));
    headers.add(COMPONENT, bytes(component));
    headers.add(SOURCE_TOPIC, bytes(record.topic()));
    headers.add(SOURCE_PARTITION, bytes(Integer.toString(record.partition())));
    headers.add(SOURCE_OFFSET, bytes(Long.toString(record.offset())));
    return headers;
  }

  /** The first line of a reason (an exception's message may run to many). */
  public static String firstLine(String reason) {
    return String.valueOf(reason).lines().findFirst().orElse("");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
