package io.labwatch.producers.arp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.publish.EventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures on one interface in its own thread, parses every frame and hands observations to the
 * publisher. When the interface goes away or down it says so once, keeps retrying with backoff (1 s
 * doubling to 30 s), reports the problem in its heartbeats, and resumes by itself.
 */
final class LiveCapture implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveCapture.class);
  static final int SNAPLEN = 256;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String iface;
  private final String sensorId;
  private final boolean promiscuous;
  private final EventPublisher publisher;
  private final ArpParser parser;
  private final Thread thread;
  private final AtomicLong captured = new AtomicLong();
  private final AtomicLong publishFailures = new AtomicLong();
  private final OwnFrames ownFrames;
  private final BoxFlux boxFlux;
  private volatile BiConsumer<String, ArpObservation> afterPublish = (i, o) -> {};

  private volatile PcapHandle handle;
  private volatile boolean stopped;
  private volatile String problem;
  // kernel counters of handles closed so far; the open handle's are added when asked
  private long droppedBefore;
  private long ifDroppedBefore;

  private LiveCapture(
      String iface,
      String sensorId,
      String segment,
      boolean promiscuous,
      EventPublisher publisher,
      PcapHandle first,
      OwnFrames ownFrames) {
    this.iface = iface;
    this.ownFrames = ownFrames;
    this.boxFlux = BoxFlux.of(iface);
    this.sensorId = sensorId;
    this.promiscuous = promiscuous;
    this.publisher = publisher;
    this.handle = first;
    this.parser = new ArpParser(sensorId, iface, segment, linkType(first, iface), new ParseStats());
    this.thread = new Thread(this::run, "labwatch-capture-" + iface);
    this.thread.setDaemon(true);
  }

  /**
   * Opens the interface and starts capturing.
   *
   * @throws LabwatchException when the interface cannot be captured on at all (missing, permission,
   *     libpcap)
   */
  static LiveCapture start(
      String iface,
      String sensorId,
      String segment,
      boolean promiscuous,
      EventPublisher publisher,
      OwnFrames ownFrames) {
    PcapHandle first = Libpcap.openLive(iface, promiscuous, SNAPLEN);
    LiveCapture capture =
        new LiveCapture(iface, sensorId, segment, promiscuous, publisher, first, ownFrames);
    capture.thread.start();
    log.info("capturing ARP and neighbour discovery on {} as sensor {}", iface, sensorId);
    return capture;
  }

  private static LinkType linkType(PcapHandle h, String iface) {
    int dlt = h.getDlt().value();
    return LinkType.ofDlt(dlt)
        .orElseThrow(
            () -> {
              h.close();
              return new LabwatchException(
                  "interface "
                      + iface
                      + " is not Ethernet (link type "
                      + h.getDlt()
                      + "); labwatch reads ARP on Ethernet only");
            });
  }

  String iface() {
    return iface;
  }

  String sensorId() {
    return sensorId;
  }

  ParseStats parseStats() {
    return parser.stats();
  }

  /** Called with each observation after it was handed to the publisher (a probe's listener). */
  void afterPublish(BiConsumer<String, ArpObservation> listener) {
    this.afterPublish = listener;
  }

  /**
   * Null while capturing; what is wrong otherwise. libpcap keeps a capture open on an interface
   * that is taken down (it just delivers nothing), so the link state is read from the kernel too.
   */
  String problem() {
    String p = problem;
    if (p != null) {
      return p;
    }
    return Interfaces.linkProblem(iface).orElse(null);
  }

  private void run() {
    Duration backoff = Duration.ofSeconds(1);
    while (!stopped) {
      PcapHandle h = handle;
      if (h == null) {
        try {
          h = Libpcap.openLive(iface, promiscuous, SNAPLEN);
          handle = h;
          log.info("capturing on {} again", iface);
          problem = null;
          backoff = Duration.ofSeconds(1);
        } catch (LabwatchException e) {
          if (!sleep(backoff)) {
            return;
          }
          backoff =
              backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                  ? MAX_BACKOFF
                  : backoff.multipliedBy(2);
          continue;
        }
      }
      PcapHandle current = h;
      try {
        RawPacketListener listener = packet -> onFrame(current, packet);
        current.loop(-1, listener);
        // loop(-1) returns only when broken or at the end of a file
      } catch (InterruptedException e) {
        // breakLoop(): we are stopping
      } catch (PcapNativeException | NotOpenException | RuntimeException e) {
        if (!stopped) {
          problem = "capture on " + iface + " failed: " + e.getMessage();
          log.warn(
              "{}; retrying every {} s up to {} s, quietly",
              problem,
              backoff.toSeconds(),
              MAX_BACKOFF.toSeconds());
        }
      }
      closeHandle(current);
    }
  }

  private void onFrame(PcapHandle h, byte[] frame) {
    captured.incrementAndGet();
    if (ownFrames.isOwn(frame, frame.length)) {
      parser.stats().skipped(SkipReason.OWN_REQUEST);
      return;
    }
    Instant ts = h.getTimestamp().toInstant();
    ArpObservation obs = parser.parse(frame, frame.length, ts);
    if (obs == null) {
      return;
    }
    if (boxFlux.isFlux(obs)) {
      parser.stats().skippedAfterParse(SkipReason.OWN_BOX_FLUX);
      return;
    }
    try {
      publisher.observation(obs);
    } catch (RuntimeException e) {
      if (publishFailures.getAndIncrement() == 0) {
        log.warn("cannot hand an observation from {} to the publisher: {}", iface, e.toString());
      }
    }
    // after the publisher has it: a probe's DONE, which names the replier, then follows the reply
    afterPublish.accept(iface, obs);
  }

  private synchronized void closeHandle(PcapHandle h) {
    if (h == null) {
      return;
    }
    PcapStat last = stats(h);
    if (last != null) {
      droppedBefore += last.getNumPacketsDropped();
      ifDroppedBefore += last.getNumPacketsDroppedByIf();
    }
    if (handle == h) {
      handle = null;
    }
    h.close();
  }

  private static PcapStat stats(PcapHandle h) {
    try {
      return h.isOpen() ? h.getStats() : null;
    } catch (PcapNativeException | NotOpenException e) {
      return null;
    }
  }

  /** Capture counts since start, across re-opened handles. */
  synchronized Heartbeat.Capture captureStats() {
    PcapStat now = stats(handle);
    long dropped = droppedBefore + (now == null ? 0 : now.getNumPacketsDropped());
    long ifDropped = ifDroppedBefore + (now == null ? 0 : now.getNumPacketsDroppedByIf());
    return new Heartbeat.Capture(captured.get(), dropped, ifDropped);
  }

  private boolean sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return !stopped;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stopped = true;
    PcapHandle h = handle;
    if (h != null) {
      try {
        h.breakLoop();
      } catch (NotOpenException e) {
        // already closed
      }
    }
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      // closing a handle under a thread still inside libpcap would crash the JVM; leak it instead
      log.warn("capture on {} did not stop within 5 s", iface);
    } else {
      closeHandle(handle);
    }
  }
}
