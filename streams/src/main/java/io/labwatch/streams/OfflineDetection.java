package io.labwatch.streams;

import io.labwatch.events.Alert;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.internal.DetectionSupplier;
import io.labwatch.streams.internal.OfflineStores;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
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

  private final MockProcessorContext<String, Alert> context;
  private final Processor<String, SensorEvent, String, Alert> processor;
  private final List<MockProcessorContext.CapturedPunctuator> streamTimePunctuators =
      new ArrayList<>();
  private final long[] nextPunctuation;
  private long streamTime = Long.MIN_VALUE;
  private long offset;

  public OfflineDetection(DetectionConfig config, Map<IpAddress, List<MacAddress>> inventory) {
    DetectionConfig deterministic = config.deterministic();
    java.util.Properties props = new java.util.Properties();
    props.put("application.id", deterministic.applicationId() + "-offline");
    props.put("bootstrap.servers", "offline:0");
    props.put("processing.exception.handler.global.enabled", "true");
    this.context = new MockProcessorContext<>(props);
    context.setCurrentSystemTimeMs(0); // there is no wall clock in a capture
    DetectionSupplier detection = new DetectionSupplier(deterministic, 1);
    OfflineStores.of(detection, inventory).forEach(context::addStateStore);
    this.processor = detection.get();
    processor.init(context);
    for (MockProcessorContext.CapturedPunctuator p : context.scheduledPunctuators()) {
      if (p.getType() == PunctuationType.STREAM_TIME) {
        streamTimePunctuators.add(p);
      }
    }
    this.nextPunctuation = new long[streamTimePunctuators.size()];
    java.util.Arrays.fill(nextPunctuation, Long.MIN_VALUE);
  }

  /** Processes one record of the {@code arp} topic; returns the alerts it caused, in order. */
  public List<Alert> process(String key, SensorEvent value, long timestamp) {
    context.setRecordMetadata("arp", 0, offset++);
    if (timestamp > streamTime) {
      streamTime = timestamp;
    }
    context.setCurrentStreamTimeMs(streamTime);
    processor.process(new Record<>(key, value, timestamp));
    for (int i = 0; i < streamTimePunctuators.size(); i++) {
      MockProcessorContext.CapturedPunctuator p = streamTimePunctuators.get(i);
      if (nextPunctuation[i] == Long.MIN_VALUE) {
        nextPunctuation[i] = streamTime + p.getInterval().toMillis();
      } else if (streamTime >= nextPunctuation[i]) {
        p.getPunctuator().punctuate(streamTime);
        nextPunctuation[i] = streamTime + p.getInterval().toMillis();
      }
    }
    List<Alert> out = new ArrayList<>();
    for (MockProcessorContext.CapturedForward<? extends String, ? extends Alert> f :
        context.forwarded()) {
      out.add(f.record().value());
    }
    context.resetForwards();
    return out;
  }

  /** Stream time so far. */
  public long streamTime() {
    return streamTime;
  }
}
