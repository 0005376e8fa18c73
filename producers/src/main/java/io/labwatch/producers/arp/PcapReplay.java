package io.labwatch.producers.arp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.publish.EventPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Publishes a capture file (pcap or pcapng) as if a sensor had seen it: every frame's original
 * capture time is its event time, and heartbeats follow the capture's clock, one per interval of
 * capture time and one at the end, so the detection's stream time moves as it did on the wire.
 * Needs no libpcap: {@link CaptureFile} reads the file.
 */
public final class PcapReplay {

  /** What a replay did. */
  public record Summary(
      Path file, long packets, long published, ParseStats stats, long failures, boolean truncated) {
    /** E.g. "read 15 packets from x.pcap: published 15 observations, skipped 0". */
    public String line() {
      return line("published");
    }

    /** The same, saying what was done with the observations ("printed", "analysed"). */
    public String line(String verb) {
      return "read "
          + packets
          + (packets == 1 ? " packet from " : " packets from ")
          + file
          + (truncated ? " (the file ends mid-record)" : "")
          + ": "
          + verb
          + " "
          + published
          + (published == 1 ? " observation, " : " observations, ")
          + stats.describeSkipped()
          + (failures > 0 ? "; " + failures + " could not be delivered" : "");
    }
  }

  private PcapReplay() {}

  /**
   * Reads {@code file} to its end.
   *
   * @throws LabwatchException when the file cannot be read or is not a capture file
   */
  public static Summary replay(
      Path file, String sensorId, Duration heartbeatInterval, EventPublisher publisher) {
    ParseStats stats = new ParseStats();
    String iface = file.getFileName().toString();
    Map<LinkType, ArpParser> parsers = new EnumMap<>(LinkType.class);
    long intervalMs = heartbeatInterval.toMillis();
    long packets = 0;
    long published = 0;
    Instant nextHeartbeat = null;
    Instant last = null;
    try (CaptureFile capture = CaptureFile.open(file)) {
      while (true) {
        boolean more;
        try {
          more = capture.next();
        } catch (LabwatchException e) {
          throw new LabwatchException(
              "capture file "
                  + file
                  + " is damaged after "
                  + packets
                  + " packets: "
                  + e.getMessage(),
              e);
        }
        if (!more) {
          break;
        }
        packets++;
        Instant ts = capture.timestamp();
        last = ts;
        if (nextHeartbeat == null) {
          nextHeartbeat = ts.plusMillis(intervalMs);
        }
        while (!ts.isBefore(nextHeartbeat)) {
          publisher.heartbeat(heartbeat(nextHeartbeat, sensorId, intervalMs, packets - 1));
          nextHeartbeat = nextHeartbeat.plusMillis(intervalMs);
        }
        LinkType linkType = LinkType.ofDlt(capture.linkType()).orElse(null);
        if (linkType == null) {
          stats.skipped(SkipReason.NOT_ETHERNET_LINK);
          continue;
        }
        byte[] frame = capture.data();
        ArpObservation obs =
            parsers
                .computeIfAbsent(linkType, t -> new ArpParser(sensorId, iface, t, stats))
                .parse(frame, frame.length, ts);
        if (obs != null) {
          publisher.observation(obs);
          published++;
        }
      }
      if (last != null) {
        publisher.heartbeat(heartbeat(last, sensorId, intervalMs, packets));
      }
      publisher.flush();
      return new Summary(
          file, packets, published, stats, publisher.failures(), capture.truncated());
    }
  }

  private static Heartbeat heartbeat(Instant at, String sensorId, long intervalMs, long received) {
    return new Heartbeat(at, sensorId, intervalMs, new Heartbeat.Capture(received, 0, 0));
  }
}
