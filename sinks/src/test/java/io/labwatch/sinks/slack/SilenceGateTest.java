package io.labwatch.sinks.slack;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Severity;
import io.labwatch.events.Silence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What the Slack sink holds back for a silence, and what it says again when the silence ends. */
class SilenceGateTest {

  static final Instant T0 = Instant.parse("2026-11-25T14:00:00Z");
  static final Duration TWO_HOURS = Duration.ofHours(2);

  /** The wall clock, moved by the test. */
  private Instant now = T0;

  private final Map<String, Silence> silences = new TreeMap<>();
  private final SilenceGate gate =
      new SilenceGate(
          () -> silences.values(),
          new Clock() {
            @Override
            public Instant instant() {
              return now;
            }

            @Override
            public ZoneId getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
              return this;
            }
          });

  static Alert conflict(String ip, Instant at) {
    return Alert.firing(
        "IP_CONFLICT", ip, Severity.CRITICAL, "IP conflict on " + ip, Evidence.NONE, Map.of(), at);
  }

  private Silence add(String id, String kind, String subject, Duration length) {
    Silence s = new Silence(id, kind, subject, now, now.plus(length), "router swap", "tom@labbox");
    silences.put(id, s);
    return s;
  }

  @Test
  void everyRecordOfAMatchedIncidentIsHeldBackAndOthersGoOut() {
    Silence s = add("s1", "IP_CONFLICT", "10.77.0.10", TWO_HOURS);
    Alert fired = conflict("10.77.0.10", T0);
    assertThat(gate.hold(fired)).isEqualTo(s);
    Alert update = fired.updated("IP conflict on 10.77.0.10, 9 flips", Evidence.NONE, T0);
    assertThat(gate.hold(update)).isEqualTo(s);
    assertThat(gate.hold(conflict("10.77.0.11", T0))).as("another subject").isNull();
    assertThat(gate.ended()).isEmpty();
    assertThat(gate.hold(update.resolved("over", T0.plusSeconds(60)))).isEqualTo(s);
  }

  @Test
  void whenTheSilenceRunsOutAnIncidentThatStillFiresIsAnnouncedOnceWithItsLatestRecord() {
    Silence s = add("s1", "IP_CONFLICT", null, TWO_HOURS);
    Alert fired = conflict("10.77.0.10", T0);
    gate.hold(fired);
    Alert update = fired.updated("IP conflict on 10.77.0.10, 9 flips", Evidence.NONE, T0);
    gate.hold(update);

    now = T0.plus(TWO_HOURS).minusMillis(1);
    assertThat(gate.ended()).isEmpty();
    now = T0.plus(TWO_HOURS);
    assertThat(gate.ended()).containsExactly(new SilenceGate.Ended(update, s));
    assertThat(gate.ended()).as("once").isEmpty();
    // and the incident's next record goes out as usual
    assertThat(gate.hold(update.resolved("over", now))).isNull();
  }

  @Test
  void endedEarlyTheAnnouncementCarriesTheSilenceWithItsNewEnd() {
    Silence s = add("s1", "IP_CONFLICT", "10.77.0.10", TWO_HOURS);
    gate.hold(conflict("10.77.0.10", T0));
    now = T0.plusSeconds(600);
    Silence expired = s.endedAt(now);
    silences.put("s1", expired); // labwatch silence expire s1
    List<SilenceGate.Ended> ended = gate.ended();
    assertThat(ended).singleElement().extracting(SilenceGate.Ended::silence).isEqualTo(expired);
    assertThat(gate.ended()).isEmpty();
  }

  @Test
  void anIncidentThatResolvedWhileSilencedIsNotAnnouncedAgain() {
    add("s1", "IP_CONFLICT", "10.77.0.10", TWO_HOURS);
    Alert fired = conflict("10.77.0.10", T0);
    gate.hold(fired);
    gate.hold(fired.resolved("over", T0.plusSeconds(60)));
    now = T0.plus(TWO_HOURS);
    assertThat(gate.ended()).isEmpty();
  }

  @Test
  void whileAnotherSilenceStillCoversItNothingIsSaidUntilTheLastEnds() {
    add("short", null, "10.77.0.10", Duration.ofMinutes(10));
    Silence longer = add("long", "IP_CONFLICT", null, TWO_HOURS);
    gate.hold(conflict("10.77.0.10", T0));
    now = T0.plus(Duration.ofMinutes(30));
    assertThat(gate.ended()).isEmpty();
    now = T0.plus(TWO_HOURS);
    assertThat(gate.ended())
        .singleElement()
        .extracting(SilenceGate.Ended::silence)
        .isEqualTo(longer);
  }

  @Test
  void aSilenceAddedOverAnIncidentAlreadyFiringMakesItOwedWhenItEnds() {
    Alert fired = conflict("10.77.0.10", T0);
    assertThat(gate.hold(fired)).as("posted: no silence yet").isNull();
    Silence s = add("s1", null, "10.77.0.10", Duration.ofMinutes(30));
    assertThat(gate.ended()).isEmpty();
    now = T0.plus(Duration.ofMinutes(30));
    assertThat(gate.ended()).containsExactly(new SilenceGate.Ended(fired, s));
  }

  @Test
  void aSilenceThatEndsOverNothingFiringSaysNothing() {
    add("s1", "IP_CONFLICT", "10.77.0.10", Duration.ofMinutes(30));
    gate.hold(conflict("10.77.0.11", T0));
    now = T0.plus(TWO_HOURS);
    assertThat(gate.ended()).isEmpty();
  }

  @Test
  void incidentsSilencedBeforeARestartAreAnnouncedWhenTheSilenceEndsAfterIt() {
    Silence s = add("s1", "IP_CONFLICT", null, TWO_HOURS);
    Alert fired = conflict("10.77.0.10", T0.minusSeconds(300));
    Alert over = conflict("10.77.0.11", T0.minusSeconds(300)).resolved("over", T0);
    gate.seed(List.of(fired, over));
    now = T0.plus(TWO_HOURS);
    assertThat(gate.ended()).containsExactly(new SilenceGate.Ended(fired, s));
  }

  @Test
  void anEventIsHeldBackButNeverOwed() {
    add("s1", "MAC_CHANGED", null, TWO_HOURS);
    Alert moved =
        Alert.event(
            "MAC_CHANGED", "10.77.0.20", Severity.WARNING, "moved", Evidence.NONE, Map.of(), T0);
    assertThat(gate.hold(moved)).isNotNull();
    now = T0.plus(TWO_HOURS);
    assertThat(gate.ended()).isEmpty();
  }

  @Test
  void aDeletedSilenceEndsToo() {
    Silence s = add("s1", "IP_CONFLICT", null, TWO_HOURS);
    gate.hold(conflict("10.77.0.10", T0));
    silences.clear(); // a tombstone
    assertThat(gate.ended()).singleElement().extracting(SilenceGate.Ended::silence).isEqualTo(s);
  }
}
