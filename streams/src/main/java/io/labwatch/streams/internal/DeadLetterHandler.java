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
 *
 * <p>The count is the detection's, not the JVM's: Kafka Streams makes a handler per task and hands
 * each the Streams configuration, where {@link #COUNTER_CONFIG} holds one counter for the whole
 * detection (the detection's Streams properties get one from {@link #addCounter}; {@link #count}
 * reads it). Without one, a handler counts on its own.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

  /** Streams configuration key of the detection's dead-letter counter, an {@link AtomicLong}. */
  public static final String COUNTER_CONFIG = "labwatch.dead.letter.counter";

  private String topic;
  private AtomicLong count = new AtomicLong();

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    topic = t == null ? null : t.toString();
    if (configs.get(COUNTER_CONFIG) instanceof AtomicLong shared) {
      count = shared;
    }
  }

  /** A new counter for one detection's Streams configuration. */
  public static void addCounter(Map<String, Object> streamsConfig) {
    streamsConfig.put(COUNTER_CONFIG, new AtomicLong());
  }

  /**
   * How many records the detection configured with {@code streamsConfig} dead-lettered so far.
   *
   * @throws IllegalArgumentException when it has no counter
   */
  public static long count(Map<?, ?> streamsConfig) {
    if (streamsConfig.get(COUNTER_CONFIG) instanceof AtomicLong c) {
      return c.get();
    }
    throw new IllegalArgumentException("no " + COUNTER_CONFIG + " in the Streams configuration");
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    long n = count.incrementAndGet();
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
    return Response.resume(
        List.of(
            DeadLetters.of(topic, record, DeadLetters.DETECT, DeadLetters.UNDECODABLE, reason)));
  }
}
