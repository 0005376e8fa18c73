package io.labwatch.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Instants in the form every labwatch writer uses, {@code 2026-11-25T14:02:11.123456Z} (what {@link
 * Instant#toString()} gives for years 0–9999), read and written without {@code DateTimeFormatter}:
 * every record on the {@code arp} topic carries one, and parsing it through the formatter was a
 * seventh of the detection's time per record (BENCHMARKS.md, detection II). Any other form a reader
 * meets (an offset, a leap second, a number) goes to jackson-datatype-jsr310 as before, so what is
 * accepted and how it is read does not change.
 */
final class IsoInstants {

  private IsoInstants() {}

  /** The Jackson module: registered after {@code JavaTimeModule}, so it takes Instant over. */
  static SimpleModule module() {
    SimpleModule m = new SimpleModule("labwatch-instants");
    m.addSerializer(Instant.class, new Writer());
    m.addDeserializer(Instant.class, new Reader());
    return m;
  }

  /**
   * The instant in {@code s[off, off+len)} if it is in the canonical UTC form {@code
   * yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} and a valid date and time; null otherwise (the caller falls back
   * to the general parser, which also gives the error message).
   */
  static Instant parse(char[] s, int off, int len) {
    if (len < 20 || len > 30 || s[off + len - 1] != 'Z') {
      return null;
    }
    int year = digits(s, off, 4);
    int month = digits(s, off + 5, 2);
    int day = digits(s, off + 8, 2);
    int hour = digits(s, off + 11, 2);
    int minute = digits(s, off + 14, 2);
    int second = digits(s, off + 17, 2);
    if ((year | month | day | hour | minute | second) < 0
        || s[off + 4] != '-'
        || s[off + 7] != '-'
        || s[off + 10] != 'T'
        || s[off + 13] != ':'
        || s[off + 16] != ':'
        || hour > 23
        || minute > 59
        || second > 59) { // (a leap second, 60, is the general parser's)
      return null;
    }
    int nano = 0;
    int fraction = len - 21; // digits between '.' and 'Z'
    if (fraction >= 0) {
      if (s[off + 19] != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nano = digits(s, off + 20, fraction);
      if (nano < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nano *= 10;
      }
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay(); // (checks the day of the month)
    } catch (DateTimeException e) {
      return null;
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nano);
  }

  /** The value of {@code n} decimal digits at {@code s[at]}, or -1 if one is not a digit. */
  private static int digits(char[] s, int at, int n) {
    int v = 0;
    for (int i = at; i < at + n; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  /**
   * Writes {@code t} as {@link Instant#toString()} does into {@code out} (30 chars at least) and
   * returns the length; or -1 for a year outside 0–9999, which {@code toString} writes otherwise.
   */
  static int format(Instant t, char[] out) {
    long seconds = t.getEpochSecond();
    long epochDay = Math.floorDiv(seconds, 86_400);
    int secondOfDay = Math.floorMod(seconds, 86_400);
    if (epochDay < -719_528 || epochDay > 2_932_896) { // 0000-01-01 .. 9999-12-31
      return -1;
    }
    LocalDate date = LocalDate.ofEpochDay(epochDay);
    put(out, 0, date.getYear(), 4);
    out[4] = '-';
    put(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    put(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    put(out, 11, secondOfDay / 3_600, 2);
    out[13] = ':';
    put(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    put(out, 17, secondOfDay % 60, 2);
    int n = 19;
    int nano = t.getNano();
    if (nano != 0) {
      out[n++] = '.';
      if (nano % 1_000_000 == 0) {
        put(out, n, nano / 1_000_000, 3);
        n += 3;
      } else if (nano % 1_000 == 0) {
        put(out, n, nano / 1_000, 6);
        n += 6;
      } else {
        put(out, n, nano, 9);
        n += 9;
      }
    }
    out[n++] = 'Z';
    return n;
  }

  private static void put(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static final class Reader extends StdScalarDeserializer<Instant> {
    private static final long serialVersionUID = 1L;

    Reader() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        Instant t = parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (t != null) {
          return t;
        }
      }
      return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
  }

  private static final class Writer extends StdScalarSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    Writer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (!provider.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)) {
        char[] out = new char[30];
        int n = format(value, out);
        if (n > 0) {
          gen.writeString(out, 0, n);
          return;
        }
      }
      InstantSerializer.INSTANCE.serialize(value, gen, provider);
    }
  }
}
