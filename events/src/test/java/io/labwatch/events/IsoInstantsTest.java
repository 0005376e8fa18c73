package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** labwatch's own Instant reader and writer say exactly what Instant.toString and parse say. */
class IsoInstantsTest {

  private static final long MIN = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  private static String write(Instant t) throws Exception {
    return Json.writer().writeValueAsString(t);
  }

  private static Instant read(String json) throws Exception {
    return Json.reader(Instant.class).readValue(json);
  }

  @Test
  void writesWhatInstantToStringWritesAndReadsItBack() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      long s = random.nextLong(MIN, MAX + 1);
      int nano =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant t = Instant.ofEpochSecond(s, nano);
      String json = write(t);
      assertThat(json).isEqualTo("\"" + t + "\"");
      assertThat(read(json)).isEqualTo(t);
    }
  }

  @Test
  void everyFractionLengthReadsAsInstantParseReadsIt() throws Exception {
    String base = "2026-12-03T21:59:07";
    assertThat(read("\"" + base + "Z\"")).isEqualTo(Instant.parse(base + "Z"));
    String digits = "123456789";
    for (int n = 1; n <= 9; n++) {
      String s = base + "." + digits.substring(0, n) + "Z";
      assertThat(read("\"" + s + "\"")).as(s).isEqualTo(Instant.parse(s));
    }
  }

  @Test
  void boundariesOfTheFastForm() throws Exception {
    for (String s :
        new String[] {
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "1970-01-01T00:00:00Z",
          "1969-12-31T23:59:59.5Z",
          "2024-02-29T12:00:00Z",
          "2000-02-29T00:00:00Z"
        }) {
      assertThat(read("\"" + s + "\"")).as(s).isEqualTo(Instant.parse(s));
    }
    Instant beyond = Instant.parse("+10000-01-01T00:00:00Z");
    assertThat(write(beyond)).isEqualTo("\"" + beyond + "\"");
    assertThat(read(write(beyond))).isEqualTo(beyond);
    Instant before = Instant.parse("-0001-12-31T23:59:59Z");
    assertThat(read(write(before))).isEqualTo(before);
  }

  @Test
  void otherFormsStillReadAsBefore() throws Exception {
    assertThat(read("\"2026-12-03T22:59:07+01:00\""))
        .isEqualTo(Instant.parse("2026-12-03T21:59:07Z"));
    // forms the general parser has always let through
    assertThat(read("\"2026-12-03T24:00:00Z\"")).isEqualTo(Instant.parse("2026-12-04T00:00:00Z"));
    assertThat(read("\"2026-12-03T23:00:00.Z\"")).isEqualTo(Instant.parse("2026-12-03T23:00:00Z"));
    assertThat(read("1764799147.250")).isEqualTo(Instant.ofEpochSecond(1764799147, 250_000_000));
  }

  @Test
  void invalidDatesAndTimesAreStillRefused() {
    for (String s :
        new String[] {
          "2025-02-29T00:00:00Z",
          "2026-13-01T00:00:00Z",
          "2026-04-31T00:00:00Z",
          "2026-12-03T23:60:00Z",
          "2026-12-03T2x:00:00Z",
          "2026-12-03 23:00:00Z",
          "2026-12-03T21:59:07.1234567890Z",
          "2026-12-03T23:00:00",
          "not a time"
        }) {
      assertThatThrownBy(() -> read("\"" + s + "\"")).as(s).isInstanceOf(Exception.class);
    }
  }

  @Test
  void aMapperAskedForNumericTimestampsStillWritesThem() throws Exception {
    ObjectMapper numeric = Json.mapper().enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    assertThat(numeric.writeValueAsString(Instant.ofEpochSecond(1764799147, 250_000_000)))
        .isEqualTo("1764799147.250000000");
  }
}
