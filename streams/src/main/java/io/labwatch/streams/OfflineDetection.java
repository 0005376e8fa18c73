package io.labwatch.streams;

import io.labwatch.events.Alert;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.internal.DetectionSupplier;
import io.labwatch.streams.internal.OfflineContext;
import io.labwatch.streams.internal.OfflineStores;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The detection's processor — the same one the topology runs — driven in this thread over records
 * in order, with plain in-memory stores and stream-time punctuation as Kafka Streams does it (after
 * a record that moves stream time past the schedule). For {@code labwatch analyze}: a capture of a
 * million packets in seconds, no broker, no disk, no wall clock.
 *
 * <p>It is one partition: every record, heartbeats included, goes through the one task, so stream
 * time is the capture's. Alerts carry event times, so they are the same as the live pipeline's;
 * only the moment a timer fires may come earlier than in a live run spread over partitions.
 */
public final class OfflineDetection {

  private final OfflineContext<String, Alert> context;
  private final Processor<String, SensorEvent, String, Alert> processor;

  public OfflineDetection(DetectionConfig config, Map<IpAddress, List<MacAddress>> inventory) {
    DetectionConfig deterministic = config.deterministic();
    DetectionSupplier detection = new DetectionSupplier(deterministic, 1);
    this.context = new OfflineContext<>(deterministic.applicationId() + "-offline", "arp");
    OfflineStores.of(detection, inventory).forEach(context::addStateStore);
    this.processor = detection.get();
    processor.init(context);
  }

  /** Processes one record of the {@code arp} topic; returns the alerts it caused, in order. */
  public List<Alert> process(String key, SensorEvent value, long timestamp) {
    context.nextRecord(timestamp);
    processor.process(new Record<>(key, value, timestamp));
    context.punctuate();
    return context.takeForwarded();
  }

  /** Stream time so far. */
  public long streamTime() {
    return context.currentStreamTimeMs();
  }
}
