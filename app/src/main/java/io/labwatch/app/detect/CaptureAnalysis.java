package io.labwatch.app.detect;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.DetectionTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * {@code labwatch analyze}: the sensor's file reader and the <em>same</em> detection topology over
 * a capture, in capture time, without a broker. Kafka Streams' TopologyTestDriver runs the topology
 * in this thread — the tool Kafka provides for running a topology without a cluster — so the alerts
 * are those the live pipeline would have raised for the same packets.
 */
public final class CaptureAnalysis {

  /** What the capture produced. */
  public record Result(PcapReplay.Summary replay, List<Alert> alerts, List<Alert> stillFiring) {}

  private CaptureAnalysis() {}

  /**
   * Analyses {@code file}; every alert is handed to {@code onAlert} as soon as it is raised.
   *
   * @throws LabwatchException when the file cannot be read
   */
  public static Result run(
      Path file,
      String sensorId,
      DetectionConfig detection,
      Duration heartbeatInterval,
      Consumer<Alert> onAlert) {
    DetectionConfig config = detection.deterministic();
    Topics topics = Topics.defaults();
    Path stateDir = tempDir();
    Properties props =
        DetectionTopology.properties(
            config, topics, Map.of("bootstrap.servers", "analyze:0"), stateDir);
    List<Alert> alerts = new ArrayList<>();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(DetectionTopology.build(topics, config), props)) {
      TestInputTopic<String, InventoryEntry> inventory =
          driver.createInputTopic(
              topics.inventory().name(),
              topics.inventory().keySerde().serializer(),
              topics.inventory().valueSerde().serializer());
      for (Map.Entry<IpAddress, List<MacAddress>> e : config.inventory().entrySet()) {
        inventory.pipeInput(
            e.getKey().toString(),
            new InventoryEntry(e.getKey(), e.getValue(), null),
            Instant.EPOCH);
      }
      TestInputTopic<String, SensorEvent> arp =
          driver.createInputTopic(
              topics.arp().name(),
              topics.arp().keySerde().serializer(),
              topics.arp().valueSerde().serializer());
      TestOutputTopic<String, Alert> out =
          driver.createOutputTopic(
              topics.alerts().name(),
              topics.alerts().keySerde().deserializer(),
              topics.alerts().valueSerde().deserializer());
      EventPublisher into =
          new EventPublisher() {
            @Override
            public void observation(ArpObservation o) {
              arp.pipeInput(o.subjectIp().toString(), o, o.eventTime());
              drain();
            }

            @Override
            public void heartbeat(Heartbeat h) {
              arp.pipeInput(h.sensorId(), h, h.eventTime());
              drain();
            }

            private void drain() {
              if (!out.isEmpty()) {
                for (Alert a : out.readValuesToList()) {
                  alerts.add(a);
                  onAlert.accept(a);
                }
              }
            }

            @Override
            public void close() {}
          };
      PcapReplay.Summary summary = PcapReplay.replay(file, sensorId, heartbeatInterval, into);
      return new Result(summary, alerts, stillFiring(alerts));
    } finally {
      deleteQuietly(stateDir);
    }
  }

  /** The incidents whose latest record is FIRING. */
  static List<Alert> stillFiring(List<Alert> alerts) {
    Map<String, Alert> latest = new LinkedHashMap<>();
    alerts.forEach(a -> latest.put(a.fingerprint(), a));
    return latest.values().stream().filter(a -> a.state() == AlertState.FIRING).toList();
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("labwatch-analyze");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is not worth failing an analysis for
    }
  }
}
