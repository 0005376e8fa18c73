package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DeadLetterHandlerTest {

  @Test
  void writesTheOriginalBytesWithTheReasonAndWhereTheyCameFromAndGoesOn() {
    DeadLetterHandler handler = new DeadLetterHandler();
    handler.configure(
        Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "labwatch.dlq"));
    byte[] key = "10.77.0.10".getBytes(StandardCharsets.UTF_8);
    byte[] value = {1, 2, 3};
    ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>("labwatch.arp", 2, 41L, key, value);

    DeserializationExceptionHandler.Response r =
        handler.handleError(
            context(), bad, new IllegalStateException("cannot decode SensorEvent\nsecond line"));

    assertThat(r.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
    assertThat(r.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().get(0);
    assertThat(dead.topic()).isEqualTo("labwatch.dlq");
    assertThat(dead.key()).isEqualTo(key);
    assertThat(dead.value()).isEqualTo(value);
    assertThat(header(dead.headers(), DeadLetters.REASON)).isEqualTo("cannot decode SensorEvent");
    assertThat(header(dead.headers(), DeadLetters.CODE)).isEqualTo("undecodable");
    assertThat(header(dead.headers(), DeadLetters.COMPONENT)).isEqualTo("detect");
    assertThat(header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("labwatch.arp");
    assertThat(header(dead.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("2");
    assertThat(header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("41");
  }

  @Test
  void theHandlersOfOneDetectionCountTogetherAndApartFromAnotherDetection() {
    Map<String, Object> one = new HashMap<>();
    DeadLetterHandler.addCounter(one);
    Map<String, Object> other = new HashMap<>();
    DeadLetterHandler.addCounter(other);
    DeadLetterHandler taskA = new DeadLetterHandler();
    taskA.configure(one);
    DeadLetterHandler taskB = new DeadLetterHandler();
    taskB.configure(one);
    DeadLetterHandler elsewhere = new DeadLetterHandler();
    elsewhere.configure(other);
    ConsumerRecord<byte[], byte[]> bad =
        new ConsumerRecord<>("labwatch.arp", 2, 41L, new byte[0], new byte[] {1});

    taskA.handleError(context(), bad, new IllegalStateException("bad"));
    taskB.handleError(context(), bad, new IllegalStateException("bad"));

    assertThat(DeadLetterHandler.count(one)).isEqualTo(2);
    assertThat(DeadLetterHandler.count(other)).isZero();
  }

  private static String header(Headers h, String name) {
    return new String(h.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static ErrorHandlerContext context() {
    return new ErrorHandlerContext() {
      @Override
      public String topic() {
        return "labwatch.arp";
      }

      @Override
      public int partition() {
        return 2;
      }

      @Override
      public long offset() {
        return 41;
      }

      @Override
      public Headers headers() {
        return new RecordHeaders();
      }

      @Override
      public String processorNodeId() {
        return "arp-source";
      }

      @Override
      public TaskId taskId() {
        return new TaskId(0, 2);
      }

      @Override
      public long timestamp() {
        return 0;
      }

      @Override
      public byte[] sourceRawKey() {
        return null;
      }

      @Override
      public byte[] sourceRawValue() {
        return null;
      }
    };
  }
}
