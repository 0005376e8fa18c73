package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.DetectionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * A detection over object stores keeps no cache of the states in front of them, and forwards
 * exactly what one with the cache forwards.
 */
class DetectionSupplierTest {

  private static final Instant T0 = Instant.parse("2026-11-25T14:00:00Z");
  private static final MacAddress SERVER = MacAddress.of("3c:fd:fe:0a:00:10");
  private static final MacAddress ROUTER = MacAddress.of("00:a0:de:0a:00:10");

  /** A server and a router in AP mode answering for 10.77.0.10, a few hosts besides. */
  private static List<ArpObservation> traffic() {
    DetectionConfig defaults = DetectionConfig.defaults();
    long start = defaults.learningPeriod().toMillis() + 1_000;
    List<ArpObservation> out = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      boolean conflict = i % 4 == 0;
      String ip = conflict ? "10.77.0.10" : "10.77.0." + (20 + i % 7);
      MacAddress mac =
          conflict ? (i % 8 == 0 ? SERVER : ROUTER) : MacAddress.fromLong(0x3cfdfe000100L + i % 7);
      out.add(
          new ArpObservation(
              T0.plusMillis(i < 8 ? i : start + i * 500L),
              "lab-sw1",
              "eth0",
              null,
              PacketClass.REPLY,
              IpAddress.of(ip),
              mac,
              IpAddress.of("10.77.0.1"),
              MacAddress.of("3c:fd:fe:0a:00:01"),
              mac));
    }
    return out;
  }

  private static List<Object> run(DetectionSupplier detection) {
    OfflineContext<String, Object> context = new OfflineContext<>("supplier-test", "arp");
    for (StateStore s : OfflineStores.of(detection, Map.of())) {
      context.addStateStore(s);
    }
    Processor<String, SensorEvent, String, Object> processor = detection.get();
    processor.init(context);
    List<Object> out = new ArrayList<>();
    for (ArpObservation o : traffic()) {
      long t = o.eventTime().toEpochMilli();
      context.nextRecord(t);
      processor.process(new Record<>(o.subjectIp().toString(), o, t));
      context.punctuate();
      out.addAll(context.takeForwarded());
    }
    return out;
  }

  @Test
  void shouldForwardOverObjectStoresWithoutItsStateCacheWhatItForwardsWithIt() {
    DetectionConfig config = DetectionConfig.defaults().deterministic();

    List<Object> cached = run(new DetectionSupplier(config, 1));
    List<Object> uncached = run(DetectionSupplier.overObjectStores(config));

    assertThat(cached).isNotEmpty();
    assertThat(uncached).hasSameSizeAs(cached);
    assertThat(uncached.toString()).isEqualTo(cached.toString());
  }
}
