package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

  @Test
  void aDeadLetterKeepsTheRecordAndSaysWhereItCameFromAndWhy() {
    RecordHeaders original = new RecordHeaders();
    original.add("trace", bytes("abc"));
    ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>(
            "labwatch.arp",
            2,
            41L,
            1_700_000_000_000L,
            TimestampType.CREATE_TIME,
            3,
            5,
            bytes("key"),
            bytes("value"),
            original,
            Optional.empty());

    ProducerRecord<byte[], byte[]> dead =
        DeadLetters.of(
            "labwatch.dlq", record, "detect", "undecodable", "schema v9 is newer\nat line 2");

    assertThat(dead.topic()).isEqualTo("labwatch.dlq");
    assertThat(dead.partition()).isNull();
    assertThat(dead.timestamp()).isEqualTo(1_700_000_000_000L);
    assertThat(dead.key()).isEqualTo(bytes("key"));
    assertThat(dead.value()).isEqualTo(bytes("value"));
    assertThat(dead.headers().toArray())
        .extracting(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8))
        .containsExactly(
            Tuple.tuple("trace", "abc"),
            Tuple.tuple(DeadLetters.REASON, "schema v9 is newer"),
            Tuple.tuple(DeadLetters.CODE, "undecodable"),
            Tuple.tuple(DeadLetters.COMPONENT, "detect"),
            Tuple.tuple(DeadLetters.SOURCE_TOPIC, "labwatch.arp"),
            Tuple.tuple(DeadLetters.SOURCE_PARTITION, "2"),
            Tuple.tuple(DeadLetters.SOURCE_OFFSET, "41"));
  }

  @Test
  void aRecordWithoutATimestampIsDeadLetteredWithoutOneInsteadOfBeingRefused() {
    ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>("labwatch.alerts", 0, 7L, null, bytes("{"));
    // a ConsumerRecord made without a timestamp carries -1, which a ProducerRecord refuses
    assertThat(record.timestamp()).isNegative();

    ProducerRecord<byte[], byte[]> dead =
        DeadLetters.of("labwatch.dlq", record, "sink.slack", "invalid_payload", null);

    assertThat(dead.timestamp()).isNull();
    assertThat(dead.key()).isNull();
    assertThat(
            new String(
                dead.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
        .isEqualTo("null");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
