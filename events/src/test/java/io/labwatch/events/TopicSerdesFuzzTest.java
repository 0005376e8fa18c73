package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * Any bytes as a record on any topic: each key and value serde {@link Topics} exposes decodes them
 * or refuses them with Kafka's {@link SerializationException} (ours, {@link JsonSerde.Failure},
 * saying in one line which type, topic and length), never anything else; and what decodes encodes
 * back to a value that decodes equal. Inputs: {@code TopicSerdesFuzzTestInputs/}.
 */
class TopicSerdesFuzzTest {

  private static final Topics TOPICS = Topics.defaults();

  @FuzzTest
  void decodesOrRefusesOnEveryTopic(byte[] bytes) {
    for (Topic<?, ?> topic : TOPICS.all()) {
      assertDecodesOrRefuses(topic.name(), topic.keySerde(), bytes);
      assertDecodesOrRefuses(topic.name(), topic.valueSerde(), bytes);
    }
  }

  private static <T> void assertDecodesOrRefuses(String topic, Serde<T> serde, byte[] bytes) {
    T value;
    try {
      value = serde.deserializer().deserialize(topic, bytes);
    } catch (JsonSerde.Failure e) {
      String type = ((JsonSerde<?>) serde).type().getSimpleName();
      assertThat(e.getMessage())
          .startsWith(
              "cannot decode " + type + " on " + topic + " from " + bytes.length + " bytes: ")
          .doesNotContain("\n");
      assertThat(e.length()).isEqualTo(bytes.length);
      return;
    }
    assertThat(value).as("only a null record is a tombstone").isNotNull();
    byte[] again = serde.serializer().serialize(topic, value);
    assertThat(serde.deserializer().deserialize(topic, again)).isEqualTo(value);
  }

  // Findings, kept as named cases (their inputs are in TopicSerdesFuzzTestInputs/ too)

  @Test
  void aLineBreakInTheQuotedInputKeepsTheReasonOnOneLine() {
    byte[] json =
        "{\"v\":1,\"ip\":\"10.0.0.1\\nx\",\"macs\":[\"52:54:00:77:00:01\"]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> TOPICS.inventory().valueSerde().deserializer().deserialize("t", json))
        .isInstanceOf(SerializationException.class)
        .hasMessageEndingWith("not an IP address: '10.0.0.1\\nx'");
  }
}
