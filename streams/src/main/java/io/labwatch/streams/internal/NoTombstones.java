package io.labwatch.streams.internal;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A serde for a topic where a record without a value is damage, not a tombstone ({@code
 * labwatch.arp}: sensors never send one): decoding one fails, so that the record is dead-lettered
 * and counted like any other that cannot be decoded, instead of being passed over unseen.
 */
public final class NoTombstones {

  private NoTombstones() {}

  public static <T> Serde<T> of(Serde<T> serde) {
    Deserializer<T> inner = serde.deserializer();
    Deserializer<T> refusing =
        new Deserializer<>() {
          @Override
          public T deserialize(String topic, byte[] data) {
            check(topic, data);
            return inner.deserialize(topic, data);
          }

          @Override
          public T deserialize(String topic, Headers headers, byte[] data) {
            check(topic, data);
            return inner.deserialize(topic, headers, data);
          }
        };
    return Serdes.serdeFrom(serde.serializer(), refusing);
  }

  private static void check(String topic, byte[] data) {
    if (data == null) {
      throw new SerializationException(
          "a record without a value on " + topic + ": sensors never send one");
    }
  }
}
