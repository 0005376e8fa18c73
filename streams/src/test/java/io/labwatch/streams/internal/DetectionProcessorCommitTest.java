package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.impostors.Claim;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the detection asks Kafka Streams for a commit of its own: for an alert about the present, at
 * most once per {@link DetectionProcessor#LIVE_COMMIT_SPACING_MS} per task (an alert held back goes
 * with the next wall-clock tick), never for alerts found in old records.
 */
class DetectionProcessorCommitTest {

  static final long NOW = Instant.parse("2026-11-26T07:00:00Z").toEpochMilli();

  private MockProcessorContext<String, Object> context;
  private DetectionProcessor processor;
  private long offset;

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.put("application.id", "commit-test");
    props.put("bootstrap.servers", "unused:0");
    context = new MockProcessorContext<>(props);
    context.setCurrentSystemTimeMs(NOW);
    OfflineStores.of(new DetectionSupplier(DetectionConfig.defaults(), 1), Map.of())
        .forEach(context::addStateStore);
    processor = new DetectionProcessor(DetectionConfig.defaults().deterministic(), 1);
    processor.init(context);
  }

  /** Two MACs answering for {@code ip} 30 ms apart at {@code at}: a conflict at once. */
  private void conflict(String ip, long at) {
    for (String mac : new String[] {"dc:9b:9c:78:00:10", "00:a0:de:78:00:10"}) {
      ArpObservation o =
          new ArpObservation(
              Instant.ofEpochMilli(at),
              "lab-sw1",
              "eth0",
              null,
              PacketClass.REPLY,
              IpAddress.of(ip),
              MacAddress.of(mac),
              IpAddress.of("10.78.0.21"),
              MacAddress.of("52:54:00:78:00:21"),
              MacAddress.of(mac));
      context.setRecordMetadata("arp", 0, offset++);
      processor.process(new Record<>(ip, o, at));
      at += 30;
    }
  }

  /** Incident records forwarded (alerts, and conflicts on their way to the impostor rules). */
  private int alerts() {
    int n =
        (int)
            context.forwarded().stream()
                .map(f -> f.record().value())
                .filter(v -> v instanceof Alert || (v instanceof Claim c && c.alert() != null))
                .count();
    context.resetForwards();
    return n;
  }

  private void tick(long wallNow) {
    context.setCurrentSystemTimeMs(wallNow);
    for (MockProcessorContext.CapturedPunctuator p : context.scheduledPunctuators()) {
      if (p.getType() == PunctuationType.WALL_CLOCK_TIME
          && p.getInterval().toMillis() == DetectionProcessor.LIVE_COMMIT_SPACING_MS) {
        p.getPunctuator().punctuate(wallNow);
      }
    }
  }

  @Test
  void aLiveAlertAsksForACommitAndASecondOneWithinTheSpacingWaitsForTheNextTick() {
    conflict("10.78.0.10", NOW - 100);
    assertThat(alerts()).isEqualTo(1);
    assertThat(context.committed()).isTrue();
    context.resetCommit();

    context.setCurrentSystemTimeMs(NOW + 20);
    conflict("10.78.0.11", NOW - 80);
    assertThat(alerts()).isEqualTo(1);
    assertThat(context.committed()).as("within the spacing: held back").isFalse();

    tick(NOW + 50); // still within the spacing of the last commit asked for
    assertThat(context.committed()).isFalse();
    tick(NOW + 100);
    assertThat(context.committed()).as("the held-back alert's commit").isTrue();
    context.resetCommit();

    tick(NOW + 200); // nothing owed: no commit asked for
    assertThat(context.committed()).isFalse();
  }

  @Test
  void anAlertFoundInOldRecordsRidesTheRegularCommit() {
    conflict("10.78.0.12", NOW - 86_400_000L);
    assertThat(alerts()).isEqualTo(1);
    assertThat(context.committed()).isFalse();
    tick(NOW + 100);
    assertThat(context.committed()).isFalse();
  }
}
