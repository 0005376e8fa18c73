package io.labwatch.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The serde of every labwatch value: JSON in {@link Json}'s dialect.
 *
 * <p>{@code null} passes through both ways (tombstones on compacted topics). Every failure, to
 * encode or to decode, becomes a {@link Failure} — a Kafka {@link SerializationException} — that
 * says which type, how many bytes and why, so a poison record can be counted and dead-lettered
 * instead of stopping a consumer.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

  private final Class<T> type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonSerde(Class<T> type) {
    this.type = type;
    this.reader = Json.reader(type);
    this.writer = Json.writer().forType(type);
  }

  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(type);
  }

  public Class<T> type() {
    return type;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    try {
      return writer.writeValueAsBytes(data);
    } catch (JsonProcessingException e) {
      throw new Failure(
          "cannot encode " + type.getSimpleName() + onTopic(topic) + ": " + reason(e), -1, e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      T value = reader.readValue(data);
      if (value == null) {
        // the JSON text "null": not a tombstone (that is a null record value), so not valid here
        throw new Failure(
            "cannot decode "
                + type.getSimpleName()
                + onTopic(topic)
                + " from "
                + data.length
                + " bytes: the JSON value is null",
            data.length,
            null);
      }
      return value;
    } catch (IOException | RuntimeException e) {
      if (e instanceof Failure f) {
        throw f;
      }
      throw new Failure(
          "cannot decode "
              + type.getSimpleName()
              + onTopic(topic)
              + " from "
              + data.length
              + " bytes: "
              + reason(e),
          data.length,
          e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  private static String onTopic(String topic) {
    return topic == null ? "" : " on " + topic;
  }

  /**
   * The one-line cause: our own validation message where a constructor refused the value, else
   * Jackson's message without its source excerpt.
   */
  static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException && !(t instanceof JsonMappingException)) {
        return oneLine(t.getMessage());
      }
    }
    String message =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    String firstLine = message.lines().findFirst().orElse(message);
    if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
      // (a path may name a map key from the input)
      return oneLine(firstLine + " (at '" + path(jme) + "')");
    }
    return oneLine(firstLine);
  }

  /** A message may quote the input, line breaks and all: control characters are escaped. */
  private static String oneLine(String message) {
    if (message == null || message.chars().noneMatch(Character::isISOControl)) {
      return message;
    }
    StringBuilder sb = new StringBuilder(message.length() + 8);
    message
        .chars()
        .forEach(
            c -> {
              switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                  if (Character.isISOControl(c)) {
                    sb.append(String.format(Locale.ROOT, "\\u%04x", c));
                  } else {
                    sb.append((char) c);
                  }
                }
              }
            });
    return sb.toString();
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** A value that could not be encoded or decoded. */
  public static final class Failure extends SerializationException {
    private static final long serialVersionUID = 1L;
    private final int length;

    Failure(String message, int length, Throwable cause) {
      super(message, cause);
      this.length = length;
    }

    /** Length of the offending bytes, or -1 when encoding failed. */
    public int length() {
      return length;
    }
  }
}
