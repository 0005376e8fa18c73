package io.labwatch.streams.internal;

import io.labwatch.events.DeadLetters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the detection cannot decode goes to the dead-letter topic as it was, with labwatch's
 * {@link DeadLetters} headers (reason, component, source topic/partition/offset), and processing
 * goes on. The first one is logged; the rest are counted.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);
  private static final AtomicLong COUNT = new AtomicLong();

  private String topic;

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    topic = t == null ? null : t.toString();
  }

  /** How many records this JVM's detection dead-lettered. */
  public static long count() {
    return COUNT.get();
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    long n = COUNT.incrementAndGet();
    String reason = DeadLetters.firstLine(exception.getMessage());
    if (n == 1) {
      log.warn(
          "a record at {}-{}@{} cannot be decoded and goes to {}: {} (further ones are counted, not logged)",
          record.topic(),
          record.partition(),
          record.offset(),
          topic,
          reason);
    }
    if (topic == null) {
      return Response.resume();
    }
    return Response.resume(List.of(DeadLetters.of(topic, record, "detect", "undecodable", reason)));
  }
}
