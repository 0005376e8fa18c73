package io.labwatch.app.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Json;
import io.labwatch.events.Topic;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Renders a record as one JSON line: topic, partition, offset, timestamp, key, value (decoded with
 * the topic's contract when it is a labwatch topic), and headers.
 *
 * <p>A value that does not decode is shown, not hidden: {@code valueError} says why, and the bytes
 * follow as text ({@code valueText}) or, when they are not UTF-8, as {@code valueBase64}.
 */
public final class RecordPrinter {

  private final ObjectMapper mapper = Json.mapper();
  private final Deserializer<?> keys;
  private final Deserializer<?> values;

  /**
   * @param topic the labwatch topic being printed, or null for any other topic
   */
  public RecordPrinter(Topic<?, ?> topic) {
    this.keys = topic == null ? null : topic.keySerde().deserializer();
    this.values = topic == null ? null : topic.valueSerde().deserializer();
  }

  public String toJson(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode line = mapper.createObjectNode();
    line.put("topic", r.topic());
    line.put("partition", r.partition());
    line.put("offset", r.offset());
    line.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
    put(line, "key", r.key(), keys, r.topic());
    put(line, "value", r.value(), values, r.topic());
    if (r.headers().iterator().hasNext()) {
      ObjectNode headers = line.putObject("headers");
      for (Header h : r.headers()) {
        String text = utf8(h.value());
        if (text != null) {
          headers.put(h.key(), text);
        } else {
          headers.put(h.key() + "Base64", Base64.getEncoder().encodeToString(h.value()));
        }
      }
    }
    try {
      return mapper.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print a JSON tree", e);
    }
  }

  private void put(
      ObjectNode line, String field, byte[] bytes, Deserializer<?> decoder, String topic) {
    if (bytes == null) {
      line.putNull(field);
      return;
    }
    if (decoder != null) {
      try {
        Object decoded = decoder.deserialize(topic, bytes);
        if (decoded instanceof byte[] raw) {
          putRaw(line, field, raw);
        } else {
          line.set(field, mapper.valueToTree(decoded));
        }
        return;
      } catch (RuntimeException e) {
        line.put(field + "Error", e.getMessage());
      }
    }
    putRaw(line, field, bytes);
  }

  private static void putRaw(ObjectNode line, String field, byte[] bytes) {
    String text = utf8(bytes);
    if (text != null) {
      line.put(line.has(field + "Error") ? field + "Text" : field, text);
    } else {
      line.put(field + "Base64", Base64.getEncoder().encodeToString(bytes));
    }
  }

  private static String utf8(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
