package io.labwatch.producers.arp;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active probing: every interval, an ARP request for each watched IP, broadcast from the capture
 * interface with the interface's own MAC and IP as sender. Every station that holds the IP answers,
 * to this interface, so the capture sees both devices of a conflict within one interval even on a
 * switched network where it would otherwise miss unicast replies.
 *
 * <p>It sends packets — the only part of labwatch that does. Targets must lie in a subnet of the
 * interface; probes are spread out to at most {@code ratePerSecond}.
 */
final class Prober implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Prober.class);

  private final String iface;
  private final PcapHandle sender;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  private Prober(String iface, PcapHandle sender, ScheduledExecutorService scheduler) {
    this.iface = iface;
    this.sender = sender;
    this.scheduler = scheduler;
  }

  /**
   * Starts probing {@code config.targets()} from {@code iface}.
   *
   * @throws LabwatchException when a target is outside the interface's subnets, or the interface
   *     has no MAC or IPv4 address to send from
   */
  static Prober start(String iface, ArpSensorConfig.Probe config) {
    MacAddress mac =
        Interfaces.mac(iface)
            .orElseThrow(
                () ->
                    new LabwatchException(
                        "cannot probe from " + iface + ": it has no Ethernet MAC address"));
    List<Interfaces.Ipv4Address> own = Interfaces.ipv4Addresses(iface);
    if (own.isEmpty()) {
      throw new LabwatchException(
          "cannot probe from "
              + iface
              + ": it has no IPv4 address; probing needs one in the targets' subnet");
    }
    List<byte[]> frames = new ArrayList<>();
    for (IpAddress target : config.targets()) {
      Interfaces.Ipv4Address from =
          own.stream()
              .filter(a -> a.contains(target))
              .findFirst()
              .orElseThrow(
                  () ->
                      new LabwatchException(
                          "probe target "
                              + target
                              + " is outside "
                              + iface
                              + "'s subnets ("
                              + own.stream()
                                  .map(Object::toString)
                                  .reduce((a, b) -> a + ", " + b)
                                  .orElse("")
                              + "); labwatch probes only its own subnet"));
      if (from.address().equals(target)) {
        throw new LabwatchException("probe target " + target + " is " + iface + "'s own address");
      }
      frames.add(request(mac, from.address(), target));
    }
    PcapHandle sender = Libpcap.openForSending(iface);
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "labwatch-probe-" + iface);
              t.setDaemon(true);
              return t;
            });
    Prober prober = new Prober(iface, sender, scheduler);
    long spacingMs = Math.max(1, 1000L / config.ratePerSecond());
    long periodMs = config.interval().toMillis();
    for (int i = 0; i < frames.size(); i++) {
      byte[] frame = frames.get(i);
      IpAddress target = config.targets().get(i);
      scheduler.scheduleAtFixedRate(
          () -> prober.send(frame, target), i * spacingMs, periodMs, TimeUnit.MILLISECONDS);
    }
    log.info(
        "probing {} from {} every {} s (sends ARP requests)",
        config.targets(),
        iface,
        config.interval().toSeconds());
    return prober;
  }

  /** A broadcast ARP request "who has target? tell senderIp", padded to the Ethernet minimum. */
  static byte[] request(MacAddress senderMac, IpAddress senderIp, IpAddress target) {
    byte[] f = new byte[60];
    byte[] mac = senderMac.toBytes();
    for (int i = 0; i < 6; i++) {
      f[i] = (byte) 0xFF;
    }
    System.arraycopy(mac, 0, f, 6, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    f[15] = 1; // Ethernet
    f[16] = 0x08; // IPv4
    f[18] = 6;
    f[19] = 4;
    f[21] = 1; // request
    System.arraycopy(mac, 0, f, 22, 6);
    System.arraycopy(senderIp.toBytes(), 0, f, 28, 4);
    System.arraycopy(target.toBytes(), 0, f, 38, 4);
    return f;
  }

  private void send(byte[] frame, IpAddress target) {
    try {
      sender.sendPacket(frame);
      sent.incrementAndGet();
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      if (failed.getAndIncrement() == 0) {
        log.warn("cannot send an ARP probe for {} on {}: {}", target, iface, e.getMessage());
      }
    }
  }

  long sent() {
    return sent.get();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.close();
  }
}
