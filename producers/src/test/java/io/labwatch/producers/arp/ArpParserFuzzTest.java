package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serde;

/**
 * Any bytes as a frame, on every link type: {@link ArpParser#parse} answers with an observation or
 * a counted skip, never throws, never skips for a bug of its own ({@link SkipReason#MALFORMED}),
 * and what it answers is publishable: it survives the {@code arp} topic's serde unchanged. Inputs:
 * {@code ArpParserFuzzTestInputs/}.
 */
class ArpParserFuzzTest {

  private static final Topic<String, SensorEvent> ARP = Topics.defaults().arp();
  private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678901234Z");

  @FuzzTest
  void parsesOrCountsEveryFrame(byte[] frame) {
    Serde<SensorEvent> serde = ARP.valueSerde();
    for (LinkType linkType : LinkType.values()) {
      ParseStats stats = new ParseStats();
      ArpParser parser = new ArpParser("fuzz", "eth0", linkType, stats);

      ArpObservation obs = parser.parse(frame, frame.length, AT);

      assertThat(stats.parsedCount() + stats.skippedCount()).isEqualTo(1);
      assertThat(obs == null).isEqualTo(stats.skippedCount() == 1);
      assertThat(stats.skippedCount(SkipReason.MALFORMED))
          .as("a parser bug, not bad input")
          .isZero();
      if (obs != null) {
        assertThat(obs.subjectIp()).isNotNull();
        byte[] json = serde.serializer().serialize(ARP.name(), obs);
        assertThat(serde.deserializer().deserialize(ARP.name(), json)).isEqualTo(obs);
      }
    }
  }
}
