package io.labwatch.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.math.BigInteger;

/**
 * An unsigned 64-bit counter (SNMP's Counter64) held in a {@code long}, as JSON: the number 0 ..
 * 2^64−1, never a negative one.
 */
final class UnsignedJson {

  private static final BigInteger MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private UnsignedJson() {}

  /** Writes the unsigned value. */
  static final class Writer extends JsonSerializer<Long> {
    @Override
    public void serialize(Long value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (value >= 0) {
        gen.writeNumber(value);
      } else {
        gen.writeNumber(new BigInteger(Long.toUnsignedString(value)));
      }
    }
  }

  /** Reads 0 .. 2^64−1; refuses anything else, naming it. */
  static final class Reader extends JsonDeserializer<Long> {
    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw new IllegalArgumentException(
            "a counter must be a whole number, got " + p.currentToken());
      }
      BigInteger n = p.getBigIntegerValue();
      if (n.signum() < 0 || n.compareTo(MAX) > 0) {
        throw new IllegalArgumentException("a counter must be 0..2^64-1, got " + n);
      }
      return n.longValue();
    }
  }
}
