package io.labwatch.events;

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

  private DeadLetters() {}
}
