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
import java.util.function.BooleanSupplier;

/**
 * Publishes a capture file (pcap or pcapng) as if a sensor had seen it: every frame's original
 * capture time is its event time, and heartbeats follow the capture's clock, one per interval of
 * capture time and one at the end, so the detection's stream time moves as it did on the wire. The
 * heartbeats say they come from a replay ({@link Heartbeat#replayOf}): when the file ends, its
 * sensor is not silent. Needs no libpcap: {@link CaptureFile} reads the file.
 *
 * <p>Nothing in a file makes the work grow with its timestamps: a packet stamped outside {@link
 * Options#notBefore}..{@link Options#notAfter} (a board without a real-time clock stamps 1970) is
 * skipped and counted, and a jump in capture time longer than {@link #MAX_FILLED_GAP} gets no
 * heartbeats past its first hour — at most {@code MAX_FILLED_GAP / interval} heartbeats a packet.
 * The detection treats the rest of such a gap as time nobody watched.
 */
public final class PcapReplay {

  /** The longest jump in capture time that heartbeats fill in. */
  public static final Duration MAX_FILLED_GAP = Duration.ofHours(1);

  /** The range of plausible capture times when nothing narrower is known. */
  public static final Instant PLAUSIBLE_FROM = Instant.parse("2000-01-01T00:00:00Z");

  public static final Instant PLAUSIBLE_UNTIL = Instant.parse("2100-01-01T00:00:00Z");

  /**
   * How to replay.
   *
   * @param notBefore packets stamped earlier are skipped (counted)
   * @param notAfter packets stamped later are skipped (counted)
   * @param stop true once the replay should end early (Ctrl-C); checked between packets
   */
  public record Options(
      Instant notBefore,
      Instant notAfter,
      BooleanSupplier stop,
      Progress progress,
      String segment) {

    public Options(Instant notBefore, Instant notAfter, BooleanSupplier stop) {
      this(notBefore, notAfter, stop, Progress.NONE, null);
    }

    /** Any plausible capture time; never stops early. */
    public static Options offline() {
      return new Options(PLAUSIBLE_FROM, PLAUSIBLE_UNTIL, () -> false);
    }

    /** The same options, telling {@code p} how far the reading got. */
    public Options withProgress(Progress p) {
      return new Options(notBefore, notAfter, stop, p, segment);
    }

    /**
     * The same options, for a capture taken in {@code segment} ({@code sensor.arp.segment}; null:
     * the default segment): its observations carry it.
     */
    public Options withSegment(String segment) {
      return new Options(notBefore, notAfter, stop, progress, segment);
    }
  }

  /**
   * How far a replay got: called every {@value #PROGRESS_EVERY} packets and once at the end, on the
   * reading thread.
   */
  public interface Progress {
    Progress NONE = (packets, bytes) -> {};

    /**
     * @param packets packets read so far
     * @param bytes the file offset reached, or -1 when it cannot be told
     */
    void at(long packets, long bytes);
  }

  static final int PROGRESS_EVERY = 4096;

  /** What a replay did. */
  public record Summary(
      Path file,
      long packets,
      long published,
      ParseStats stats,
      long failures,
      boolean truncated,
      CaptureFile.Damage damage,
      Instant firstOutOfRange,
      long unwatchedGaps,
      String stoppedBecause) {

    /** True when part of the file was not replayed for a reason other than its end. */
    public boolean incomplete() {
      return damage.restUnreadable() || stoppedBecause != null || failures > 0;
    }

    /** E.g. "read 15 packets from x.pcap: published 15 observations, skipped 0". */
    public String line() {
      return line("published");
    }

    /** The same, saying what was done with the observations ("printed", "analysed"). */
    public String line(String verb) {
      StringBuilder b =
          new StringBuilder()
              .append("read ")
              .append(packets)
              .append(packets == 1 ? " packet from " : " packets from ")
              .append(file)
              .append(truncated ? " (the file ends mid-record)" : "")
              .append(": ")
              .append(verb)
              .append(' ')
              .append(published)
              .append(published == 1 ? " observation, " : " observations, ")
              .append(stats.describeSkipped());
      if (firstOutOfRange != null) {
        b.append("; the first packet stamped out of range says ").append(firstOutOfRange);
      }
      if (damage.any()) {
        b.append("; damaged at offset ")
            .append(damage.firstAt())
            .append(": ")
            .append(damage.records())
            .append(damage.records() == 1 ? " record" : " records")
            .append(", ")
            .append(damage.bytesSkipped())
            .append(" bytes skipped")
            .append(damage.restUnreadable() ? ", no whole record after the damage" : "");
      }
      if (unwatchedGaps > 0) {
        b.append("; ")
            .append(unwatchedGaps)
            .append(unwatchedGaps == 1 ? " jump" : " jumps")
            .append(" in capture time over ")
            .append(MAX_FILLED_GAP.toHours())
            .append(" h, not filled with heartbeats");
      }
      if (failures > 0) {
        b.append("; ").append(failures).append(" could not be delivered");
      }
      if (stoppedBecause != null) {
        b.append("; stopped early: ").append(stoppedBecause);
      }
      return b.toString();
    }
  }

  private PcapReplay() {}

  /**
   * {@link #replay(Path, String, Duration, EventPublisher, Options)} with {@link
   * Options#offline()}.
   */
  public static Summary replay(
      Path file, String sensorId, Duration heartbeatInterval, EventPublisher publisher) {
    return replay(file, sensorId, heartbeatInterval, publisher, Options.offline());
  }

  /**
   * Reads {@code file} to its end (or to damage nothing after can be read, or until the publisher
   * fails to deliver, or until {@link Options#stop}).
   *
   * @throws LabwatchException when the file cannot be read or is not a capture file
   */
  public static Summary replay(
      Path file,
      String sensorId,
      Duration heartbeatInterval,
      EventPublisher publisher,
      Options options) {
    ParseStats stats = new ParseStats();
    String name = file.getFileName().toString();
    Map<LinkType, ArpParser> parsers = new EnumMap<>(LinkType.class);
    long intervalMs = heartbeatInterval.toMillis();
    long maxGapMs = MAX_FILLED_GAP.toMillis();
    long packets = 0;
    long published = 0;
    long unwatchedGaps = 0;
    Instant firstOutOfRange = null;
    String stopped = null;
    Instant nextHeartbeat = null;
    Instant last = null;
    try (CaptureFile capture = CaptureFile.open(file)) {
      try {
        while (capture.next()) {
          packets++;
          Instant ts = capture.timestamp();
          if (ts.isBefore(options.notBefore()) || ts.isAfter(options.notAfter())) {
            stats.skipped(SkipReason.TIME_OUT_OF_RANGE);
            if (firstOutOfRange == null) {
              firstOutOfRange = ts;
            }
            continue;
          }
          if (nextHeartbeat == null) {
            nextHeartbeat = ts.plusMillis(intervalMs);
          } else if (ts.toEpochMilli() - last.toEpochMilli() > maxGapMs) {
            // fill the jump's first hour; the rest was not watched
            heartbeatsThrough(
                last.plusMillis(maxGapMs),
                nextHeartbeat,
                intervalMs,
                packets - 1,
                publisher,
                sensorId,
                name);
            nextHeartbeat = ts;
            unwatchedGaps++;
          }
          if (last == null || ts.isAfter(last)) {
            last = ts;
          }
          nextHeartbeat =
              heartbeatsThrough(
                  ts, nextHeartbeat, intervalMs, packets - 1, publisher, sensorId, name);
          LinkType linkType = LinkType.ofDlt(capture.linkType()).orElse(null);
          if (linkType == null) {
            stats.skipped(SkipReason.NOT_ETHERNET_LINK);
          } else {
            byte[] frame = capture.data();
            ArpObservation obs =
                parsers
                    .computeIfAbsent(
                        linkType, t -> new ArpParser(sensorId, name, options.segment(), t, stats))
                    .parse(frame, frame.length, ts);
            if (obs != null) {
              publisher.observation(obs);
              published++;
            }
          }
          if (publisher.failures() > 0) {
            stopped = cannotPublish(publisher);
            break;
          }
          if (options.stop().getAsBoolean()) {
            stopped = "asked to stop";
            break;
          }
          if (packets % PROGRESS_EVERY == 0) {
            options.progress().at(packets, capture.position());
          }
        }
        options.progress().at(packets, capture.position());
        if (last != null && stopped == null) {
          publisher.heartbeat(heartbeat(last, sensorId, intervalMs, packets, name));
        }
        publisher.flush();
      } catch (RuntimeException e) {
        // a stop closes a publisher that is stuck on a broker that is gone
        if (!options.stop().getAsBoolean()) {
          throw e;
        }
        stopped = "asked to stop";
      }
      if (stopped == null && publisher.failures() > 0) {
        stopped = cannotPublish(publisher);
      }
      // (a damaged record counts as a packet read and skipped, so that the counts add up)
      stats.skipped(SkipReason.DAMAGED_RECORD, capture.damage().records());
      return new Summary(
          file,
          packets + capture.damage().records(),
          published,
          stats,
          publisher.failures(),
          capture.truncated(),
          capture.damage(),
          firstOutOfRange,
          unwatchedGaps,
          stopped);
    }
  }

  /**
   * The capture time of the file's first packet stamped in {@code notBefore..notAfter}, or null:
   * what a command checks before publishing anything.
   */
  public static Instant firstTimestamp(Path file, Instant notBefore, Instant notAfter) {
    try (CaptureFile capture = CaptureFile.open(file)) {
      while (capture.next()) {
        Instant ts = capture.timestamp();
        if (!ts.isBefore(notBefore) && !ts.isAfter(notAfter)) {
          return ts;
        }
      }
      return null;
    }
  }

  /**
   * Publishes the heartbeats due from {@code next} through {@code until}, one per interval of
   * capture time; returns when the next one is due.
   */
  private static Instant heartbeatsThrough(
      Instant until,
      Instant next,
      long intervalMs,
      long received,
      EventPublisher publisher,
      String sensorId,
      String file) {
    while (!until.isBefore(next)) {
      publisher.heartbeat(heartbeat(next, sensorId, intervalMs, received, file));
      next = next.plusMillis(intervalMs);
    }
    return next;
  }

  private static String cannotPublish(EventPublisher publisher) {
    return "cannot publish (" + publisher.firstFailure() + ")";
  }

  private static Heartbeat heartbeat(
      Instant at, String sensorId, long intervalMs, long received, String file) {
    return Heartbeat.ofReplay(
        at, sensorId, intervalMs, new Heartbeat.Capture(received, 0, 0), file);
  }
}
