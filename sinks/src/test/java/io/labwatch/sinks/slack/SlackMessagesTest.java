package io.labwatch.sinks.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Severity;
import io.labwatch.events.Silence;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackMessagesTest {

  static final Instant T0 = Instant.parse("2026-11-25T14:02:11Z");

  static Alert seed() {
    return Alert.firing(
        "IP_CONFLICT",
        "10.77.0.10",
        Severity.CRITICAL,
        "IP conflict on 10.77.0.10: 00:a0:de:77:00:10 (YAMAHA CORPORATION) and dc:9b:9c:77:00:10 (Apple, Inc.), 12 flips in 41 s",
        new Evidence(
            List.of(
                new Evidence.MacEvidence(
                    MacAddress.of("00:a0:de:77:00:10"),
                    "YAMAHA CORPORATION",
                    12,
                    T0,
                    T0.plusSeconds(41),
                    List.of("lab-sw1"),
                    List.of(PacketClass.REPLY)),
                new Evidence.MacEvidence(
                    MacAddress.of("dc:9b:9c:77:00:10"),
                    "Apple, Inc.",
                    30,
                    T0.minusSeconds(600),
                    T0.plusSeconds(41),
                    List.of("lab-sw1"),
                    List.of(PacketClass.REPLY, PacketClass.REQUEST))),
            12L,
            Map.of("conflictWindow", "5 min")),
        Map.of("sensor", "lab-sw1"),
        T0);
  }

  /** Block Kit's structural rules and Slack's limits, for any message labwatch builds. */
  static void assertValidBlockKit(JsonNode msg) {
    assertThat(msg.path("text").asText()).isNotBlank();
    assertThat(msg.path("text").asText().length()).isLessThanOrEqualTo(40_000);
    JsonNode blocks = msg.path("blocks");
    assertThat(blocks.isArray()).isTrue();
    assertThat(blocks.size()).isBetween(1, 50);
    for (JsonNode b : blocks) {
      String type = b.path("type").asText();
      assertThat(type).isIn("header", "section", "context", "divider");
      switch (type) {
        case "header" -> {
          assertThat(b.path("text").path("type").asText()).isEqualTo("plain_text");
          assertThat(b.path("text").path("text").asText().length()).isBetween(1, 150);
        }
        case "section" -> {
          assertThat(b.has("text") || b.has("fields")).isTrue();
          if (b.has("text")) {
            assertThat(b.path("text").path("type").asText()).isIn("mrkdwn", "plain_text");
            assertThat(b.path("text").path("text").asText().length()).isBetween(1, 3000);
          }
          if (b.has("fields")) {
            assertThat(b.path("fields").size()).isBetween(1, 10);
            b.path("fields")
                .forEach(f -> assertThat(f.path("text").asText().length()).isBetween(1, 2000));
          }
        }
        case "context" -> {
          assertThat(b.path("elements").size()).isBetween(1, 10);
          b.path("elements")
              .forEach(e -> assertThat(e.path("text").asText().length()).isBetween(1, 3000));
        }
        default -> {}
      }
    }
  }

  @Test
  void theSeedIncidentsMessageNamesBothMacsAndVendorsAndHowToLook() {
    ObjectNode msg = SlackMessages.message(seed());
    assertValidBlockKit(msg);
    String all = msg.toString();
    assertThat(msg.path("blocks").get(0).path("text").path("text").asText())
        .isEqualTo(":red_circle: IP_CONFLICT FIRING — 10.77.0.10");
    assertThat(msg.path("text").asText())
        .startsWith("CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.10");
    assertThat(all)
        .contains("00:a0:de:77:00:10", "YAMAHA CORPORATION", "dc:9b:9c:77:00:10", "Apple, Inc.")
        .contains("12 packets", "*Flips*\\n12", "seen by lab-sw1")
        .contains(
            "IP_CONFLICT:10.77.0.10@2026-11-25T14:02:11Z",
            "`labwatch report IP_CONFLICT:10.77.0.10` draws its timeline");
  }

  @Test
  void anIncidentWhoseSilenceEndedIsToldAsFiringAgainSayingWhichSilenceAndWhy() {
    Alert update = seed().updated("IP conflict on 10.77.0.10, 40 flips", null, T0.plusSeconds(900));
    Silence ended =
        new Silence(
            "3f9a1c2e",
            "IP_CONFLICT",
            "10.77.0.10",
            T0,
            T0.plusSeconds(3600),
            "router <swap>",
            "tom@labbox");
    ObjectNode msg = SlackMessages.silenceEnded(update, null, ended);
    assertValidBlockKit(msg);
    assertThat(msg.path("blocks").get(0).path("text").path("text").asText())
        .as("its last record was an update; it is told as firing")
        .isEqualTo(":red_circle: IP_CONFLICT FIRING — 10.77.0.10");
    assertThat(msg.path("blocks").get(1).path("text").path("text").asText())
        .isEqualTo(
            ":bell: The silence `3f9a1c2e` (IP_CONFLICT:10.77.0.10, _router &lt;swap&gt;_, by"
                + " tom@labbox) ended at 2026-11-25 15:02:11Z; this incident still fires.");
    assertThat(msg.path("text").asText())
        .isEqualTo(
            "CRITICAL IP_CONFLICT firing: IP conflict on 10.77.0.10, 40 flips (still firing: the"
                + " silence 3f9a1c2e over it ended)");
  }

  /** Issue 17: where `labwatch run` serves the report and slack.reportUrl says so, a link to it. */
  @Test
  void aMessageLinksToItsIncidentsReportWhenReportsAreServed() {
    SlackConfig c =
        new SlackConfig(
            "https://hooks.slack.com/services/T/B/x",
            null,
            null,
            Map.of(),
            null,
            List.of(),
            List.of(),
            10,
            3,
            null,
            null,
            null,
            "http://labbox.lab:9464/");
    Alert a = seed();
    ObjectNode msg = SlackMessages.message(a, c.reportLink(a.incidentId()));
    assertValidBlockKit(msg);
    assertThat(msg.toString())
        .contains(
            "<http://labbox.lab:9464/incidents/IP_CONFLICT%3A10.77.0.10%402026-11-25T14%3A02%3A11Z"
                + "|the incident's report>");
    assertThatThrownBy(
            () ->
                new SlackConfig(
                    null,
                    null,
                    null,
                    Map.of(),
                    null,
                    List.of(),
                    List.of(),
                    10,
                    3,
                    null,
                    null,
                    null,
                    "labbox:9464"))
        .hasMessageContaining("reportUrl: must be an http:// or https:// URL");
  }

  @Test
  void aResolvedIncidentSaysHowLongItLasted() {
    Alert resolved = seed().resolved("IP conflict on 10.77.0.10 resolved", T0.plusSeconds(1800));
    ObjectNode msg = SlackMessages.message(resolved);
    assertValidBlockKit(msg);
    assertThat(msg.path("blocks").get(0).path("text").path("text").asText())
        .startsWith(":white_check_mark: IP_CONFLICT RESOLVED");
    assertThat(msg.toString()).contains("*Resolved* after 30 min.");
  }

  @Test
  void longEvidenceIsCutWithANoteNeverRejected() {
    List<Evidence.MacEvidence> macs = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      macs.add(
          new Evidence.MacEvidence(
              MacAddress.fromLong(0x3cfdfe000000L + i),
              "Intel Corporate",
              i,
              T0,
              T0,
              List.of("s".repeat(3000)),
              List.of()));
    }
    Alert huge =
        Alert.firing(
            "IP_CONFLICT",
            "10.77.0.10",
            Severity.CRITICAL,
            "x".repeat(5000),
            new Evidence(macs, 1L, Map.of()),
            Map.of(),
            T0);
    ObjectNode msg = SlackMessages.message(huge);
    assertValidBlockKit(msg);
    assertThat(msg.toString()).contains("cut at Slack's limit").contains("more facts not shown");
  }

  @Test
  void aDigestOfAStormStaysWithinTheLimitsAndSaysWhatItIs() {
    List<Alert> storm = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      storm.add(
          Alert.event(
              "NEW_STATION",
              "10.77.1." + i,
              Severity.INFO,
              "New station 10.77.1." + i,
              Evidence.NONE,
              Map.of(),
              T0));
    }
    ObjectNode msg = SlackMessages.digest(storm);
    assertValidBlockKit(msg);
    assertThat(msg.toString())
        .contains("200 alerts at once — a digest")
        .contains("and " + (200 - 46) + " more");
    assertThat(msg.path("text").asText()).contains("New station 10.77.1.199");
  }

  @Test
  void slacksControlCharactersAreEscaped() {
    Alert a =
        Alert.event(
            "ETHER_MISMATCH",
            "10.77.0.10",
            Severity.INFO,
            "a <b> & c",
            Evidence.NONE,
            Map.of(),
            T0);
    assertThat(SlackMessages.message(a).toString()).contains("a &lt;b&gt; &amp; c");
  }
}
