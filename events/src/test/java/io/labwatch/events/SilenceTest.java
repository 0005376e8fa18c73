package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SilenceTest {

  static final Instant T0 = Instant.parse("2026-11-25T14:00:00Z");
  static final Instant T2H = T0.plus(Duration.ofHours(2));

  private final JsonSerde<Silence> serde = JsonSerde.of(Silence.class);

  static Silence silence(String id, String kind, String subject) {
    return new Silence(id, kind, subject, T0, T2H, "router swap", "tom@labbox");
  }

  @Test
  void roundTripsAndLeavesAnAnyMatcherOut() {
    Silence s = silence("3f9a1c2e", null, "10.77.0.10");
    byte[] bytes = serde.serialize("labwatch.silences", s);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"v\":1", "\"id\":\"3f9a1c2e\"", "\"subject\":\"10.77.0.10\"")
        .contains("\"startsAt\":\"2026-11-25T14:00:00Z\"", "\"endsAt\":\"2026-11-25T16:00:00Z\"")
        .contains("\"reason\":\"router swap\"", "\"createdBy\":\"tom@labbox\"")
        .doesNotContain("kind", "matcher");
    assertThat(serde.deserialize("labwatch.silences", bytes)).isEqualTo(s);
  }

  @Test
  void holdsFromItsStartUntilJustBeforeItsEnd() {
    Silence s = silence("a", "IP_CONFLICT", "10.77.0.10");
    assertThat(s.activeAt(T0.minusMillis(1))).isFalse();
    assertThat(s.activeAt(T0)).isTrue();
    assertThat(s.activeAt(T2H.minusMillis(1))).isTrue();
    assertThat(s.activeAt(T2H)).isFalse();
  }

  @Test
  void matchesTheKindAndTheSubjectItNamesAndAnyOfWhatItLeavesOut() {
    Silence both = silence("a", "IP_CONFLICT", "10.77.0.10");
    assertThat(both.matches("IP_CONFLICT", "10.77.0.10")).isTrue();
    assertThat(both.matches("IP_CONFLICT", "10.77.0.11")).isFalse();
    assertThat(both.matches("MAC_CHANGED", "10.77.0.10")).isFalse();
    assertThat(both.matcher()).isEqualTo("IP_CONFLICT:10.77.0.10");

    Silence kind = silence("b", "LOAD_SPIKE", null);
    assertThat(kind.matches("LOAD_SPIKE", "yamato")).isTrue();
    assertThat(kind.matches("LINK_DOWN", "yamato")).isFalse();
    assertThat(kind.matcher()).isEqualTo("LOAD_SPIKE:*");

    Silence subject = silence("c", null, "10.77.0.10");
    assertThat(subject.matches("ADDRESS_SPOOF", "10.77.0.10")).isTrue();
    assertThat(subject.matches("ADDRESS_SPOOF", "10.77.0.1")).isFalse();
    assertThat(subject.matcher()).isEqualTo("*:10.77.0.10");
  }

  @Test
  void ofSeveralOverAnAlertTheOneThatHoldsLongestSaysUntilWhen() {
    Silence shortOne = new Silence("s", null, "10.77.0.10", T0, T0.plusSeconds(60), "x", "a@b");
    Silence longOne = silence("l", "IP_CONFLICT", null);
    Silence other = silence("o", "IP_CONFLICT", "10.77.0.99");
    List<Silence> all = List.of(shortOne, longOne, other);
    assertThat(Silence.silencing(all, "IP_CONFLICT", "10.77.0.10", T0)).contains(longOne);
    assertThat(Silence.silencing(all, "LINK_DOWN", "10.77.0.10", T0)).contains(shortOne);
    assertThat(Silence.silencing(all, "LINK_DOWN", "10.77.0.10", T0.plusSeconds(60))).isEmpty();
    assertThat(Silence.silencing(all, "IP_CONFLICT", "10.77.0.10", T2H)).isEmpty();
  }

  @Test
  void endingItEarlyKeepsEverythingButItsEnd() {
    Silence s = silence("a", "IP_CONFLICT", "10.77.0.10");
    Silence ended = s.endedAt(T0.plusSeconds(600));
    assertThat(ended.endsAt()).isEqualTo(T0.plusSeconds(600));
    assertThat(ended).usingRecursiveComparison().ignoringFields("endsAt").isEqualTo(s);
    assertThat(ended.activeAt(T0.plusSeconds(600))).isFalse();
    assertThat(s.endedAt(T2H.plusSeconds(1))).as("already over").isSameAs(s);
    assertThat(s.endedAt(T0.minusSeconds(60)).endsAt()).as("before it began").isEqualTo(T0);
  }

  @Test
  void aSilenceOfEverythingOrWithoutAReasonIsRefusedNamingWhy() {
    assertThatThrownBy(() -> silence("a", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a 'kind' or a 'subject'");
    assertThatThrownBy(() -> new Silence("a", "IP_CONFLICT", null, T0, T2H, " ", "tom@labbox"))
        .hasMessageContaining("'reason' must not be blank");
    assertThatThrownBy(() -> new Silence("a", "IP_CONFLICT", null, T2H, T0, "x", "tom@labbox"))
        .hasMessageContaining("'endsAt' 2026-11-25T14:00:00Z is before 'startsAt'");
    assertThatThrownBy(() -> silence("a", "ip_conflict", null))
        .hasMessageContaining("'kind' must be UPPER_SNAKE_CASE");
    byte[] noEnd =
        "{\"v\":1,\"id\":\"a\",\"kind\":\"IP_CONFLICT\",\"startsAt\":\"2026-11-25T14:00:00Z\",\"reason\":\"x\",\"createdBy\":\"a@b\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> serde.deserialize("labwatch.silences", noEnd))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Silence: 'endsAt' is required");
  }
}
