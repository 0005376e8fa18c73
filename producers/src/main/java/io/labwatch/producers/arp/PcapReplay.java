package io.labwatch.producers.arp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.publish.EventPublisher;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Publishes a capture file (pcap or pcapng) as if a sensor had seen it: every frame's original
 * capture time is its event time, and heartbeats follow the capture's clock, one per interval of
 * capture time and one at the end, so the detection's stream time moves as it did on the wire.
 */
public final class PcapReplay {

  /** What a replay did. */
  public record Summary(Path file, long packets, long published, ParseStats stats, long failures) {
    /** E.g. "read 15 packets from x.pcap: published 15 observations, skipped 0". */
    public String line() {
      return "read "
          + packets
          + " packets from "
          + file
          + ": published "
          + published
          + " observations, "
          + stats.describeSkipped()
          + (failures > 0 ? "; " + failures + " could not be delivered" : "");
    }
  }

  private PcapReplay() {}

  /**
   * Reads {@code file} to its end.
   *
   * @throws LabwatchException when the file cannot be read or is not an Ethernet capture
   */
  public static Summary replay(
      Path file, String sensorId, Duration heartbeatInterval, EventPublisher publisher) {
    if (!Files.isReadable(file)) {
      throw new LabwatchException("capture file " + file + " does not exist or cannot be read");
    }
    Libpcap.version();
    PcapHandle handle;
    try {
      handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
    } catch (PcapNativeException e) {
      throw new LabwatchException("cannot read capture file " + file + ": " + e.getMessage(), e);
    } catch (LinkageError e) {
      throw Libpcap.missing(e);
    }
    try (handle) {
      LinkType linkType =
          LinkType.ofDlt(handle.getDlt().value())
              .orElseThrow(
                  () ->
                      new LabwatchException(
                          "capture file "
                              + file
                              + " has link type "
                              + handle.getDlt()
                              + "; labwatch reads Ethernet and Linux cooked captures"));
      ParseStats stats = new ParseStats();
      String iface = file.getFileName().toString();
      ArpParser parser = new ArpParser(sensorId, iface, linkType, stats);
      long intervalMs = heartbeatInterval.toMillis();
      long packets = 0;
      long published = 0;
      Instant nextHeartbeat = null;
      Instant last = null;
      while (true) {
        byte[] frame;
        try {
          frame = handle.getNextRawPacketEx();
        } catch (EOFException e) {
          break;
        } catch (TimeoutException e) {
          continue;
        } catch (PcapNativeException | NotOpenException e) {
          throw new LabwatchException(
              "capture file "
                  + file
                  + " is damaged after "
                  + packets
                  + " packets: "
                  + e.getMessage(),
              e);
        }
        packets++;
        Instant ts = handle.getTimestamp().toInstant();
        last = ts;
        if (nextHeartbeat == null) {
          nextHeartbeat = ts.plusMillis(intervalMs);
        }
        while (!ts.isBefore(nextHeartbeat)) {
          publisher.heartbeat(heartbeat(nextHeartbeat, sensorId, intervalMs, packets - 1));
          nextHeartbeat = nextHeartbeat.plusMillis(intervalMs);
        }
        ArpObservation obs = parser.parse(frame, frame.length, ts);
        if (obs != null) {
          publisher.observation(obs);
          published++;
        }
      }
      if (last != null) {
        publisher.heartbeat(heartbeat(last, sensorId, intervalMs, packets));
      }
      publisher.flush();
      return new Summary(file, packets, published, stats, publisher.failures());
    }
  }

  private static Heartbeat heartbeat(Instant at, String sensorId, long intervalMs, long received) {
    return new Heartbeat(at, sensorId, intervalMs, new Heartbeat.Capture(received, 0, 0));
  }
}
