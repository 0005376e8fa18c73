package io.labwatch.producers.arp;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends ARP requests from one capture interface, with the interface's own MAC: the only part of
 * labwatch that sends packets. Two uses:
 *
 * <ul>
 *   <li>Periodic targets ({@code sensor.arp.probe}): every interval, a request for each watched IP
 *       with the interface's IP as sender. Every station that holds the IP answers, to this
 *       interface, so the capture sees both devices of a conflict within one interval even on a
 *       switched network where it would otherwise miss unicast replies. Targets must lie in a
 *       subnet of the interface; probes are spread out to at most {@code ratePerSecond}.
 *   <li>Confirmation probes ({@link Confirmer}): single requests on demand, from the interface's
 *       address in the IP's subnet or, on an interface without IPv4, as an RFC 5227 probe from
 *       0.0.0.0 ({@link #choose}).
 * </ul>
 *
 * <p>Every frame it sends is first remembered in {@link #ownFrames()}, so the capture on the same
 * interface does not publish the sensor's own requests as observations.
 */
final class Prober implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Prober.class);

  private final String iface;
  private final MacAddress mac;
  private final Wire sender;
  private final OwnFrames ownFrames;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean broken = new AtomicBoolean();

  /** Where frames go: a libpcap handle, or a test's list. */
  interface Wire {
    void send(byte[] frame) throws PcapNativeException, NotOpenException;

    void close();

    static Wire of(PcapHandle handle) {
      return new Wire() {
        @Override
        public void send(byte[] frame) throws PcapNativeException, NotOpenException {
          handle.sendPacket(frame);
        }

        @Override
        public void close() {
          handle.close();
        }
      };
    }
  }

  Prober(String iface, MacAddress mac, Wire sender, OwnFrames ownFrames) {
    this.iface = iface;
    this.mac = mac;
    this.sender = sender;
    this.ownFrames = ownFrames;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "labwatch-probe-" + iface);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens {@code iface} for sending.
   *
   * @throws LabwatchException when the interface has no Ethernet MAC or cannot be opened (no
   *     CAP_NET_RAW), with what to do
   */
  static Prober open(String iface, OwnFrames ownFrames) {
    MacAddress mac = requireMac(iface);
    return new Prober(iface, mac, Wire.of(Libpcap.openForSending(iface)), ownFrames);
  }

  private static MacAddress requireMac(String iface) {
    return Interfaces.mac(iface)
        .orElseThrow(
            () ->
                new LabwatchException(
                    "cannot probe from " + iface + ": it has no Ethernet MAC address"));
  }

  /**
   * Opens {@code iface} and starts probing {@code config.targets()} from it.
   *
   * @throws LabwatchException when a target is outside the interface's subnets, or the interface
   *     has no MAC or IPv4 address to send from
   */
  static Prober start(String iface, ArpSensorConfig.Probe config, OwnFrames ownFrames) {
    MacAddress mac = requireMac(iface);
    List<byte[]> frames = periodicFrames(iface, mac, config);
    Prober prober = new Prober(iface, mac, Wire.of(Libpcap.openForSending(iface)), ownFrames);
    prober.schedule(frames, config);
    return prober;
  }

  /** Starts the periodic targets on an open prober. */
  void startPeriodic(ArpSensorConfig.Probe config) {
    schedule(periodicFrames(iface, mac, config), config);
  }

  private static List<byte[]> periodicFrames(
      String iface, MacAddress mac, ArpSensorConfig.Probe config) {
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
    return frames;
  }

  private void schedule(List<byte[]> frames, ArpSensorConfig.Probe config) {
    long spacingMs = Math.max(1, 1000L / config.ratePerSecond());
    long periodMs = config.interval().toMillis();
    for (int i = 0; i < frames.size(); i++) {
      byte[] frame = frames.get(i);
      IpAddress target = config.targets().get(i);
      scheduler.scheduleAtFixedRate(
          () -> send(frame, target), i * spacingMs, periodMs, TimeUnit.MILLISECONDS);
    }
    log.info(
        "probing {} from {} every {} s (sends ARP requests)",
        config.targets(),
        iface,
        config.interval().toSeconds());
  }

  /**
   * How a confirmation probe for {@code ip} goes out of an interface with addresses {@code own}.
   *
   * @param senderIp the ARP sender address to use: the interface's address in {@code ip}'s subnet,
   *     or 0.0.0.0 (an RFC 5227 probe) when the interface has no IPv4 address at all; null when the
   *     probe must not be sent
   * @param skip why not, when {@code senderIp} is null
   */
  record Choice(IpAddress senderIp, Skip skip) {

    /** Why an interface does not probe for an IP. */
    enum Skip {
      /** Not an IPv4 address, or 0.0.0.0. */
      NOT_IPV4,
      /** The IP is one of the interface's own. */
      OWN_ADDRESS,
      /** The interface has IPv4 addresses, none in the IP's subnet: another network. */
      OTHER_NETWORK
    }

    boolean sends() {
      return senderIp != null;
    }

    /** An RFC 5227 probe (sender 0.0.0.0) rather than an ordinary request. */
    boolean isRfc5227Probe() {
      return senderIp != null && senderIp.isUnspecified();
    }

    static Choice from(IpAddress sender) {
      return new Choice(sender, null);
    }

    static Choice skip(Skip why) {
      return new Choice(null, why);
    }
  }

  /** See {@link Choice}. */
  static Choice choose(List<Interfaces.Ipv4Address> own, IpAddress ip) {
    if (!ip.isV4() || ip.isUnspecified()) {
      return Choice.skip(Choice.Skip.NOT_IPV4);
    }
    if (own.stream().anyMatch(a -> a.address().equals(ip))) {
      return Choice.skip(Choice.Skip.OWN_ADDRESS);
    }
    if (own.isEmpty()) {
      return Choice.from(IpAddress.V4_UNSPECIFIED);
    }
    return own.stream()
        .filter(a -> a.contains(ip))
        .findFirst()
        .map(a -> Choice.from(a.address()))
        .orElse(Choice.skip(Choice.Skip.OTHER_NETWORK));
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

  /** A request for {@code target} from {@code senderIp} and this interface's MAC. */
  byte[] request(IpAddress senderIp, IpAddress target) {
    return request(mac, senderIp, target);
  }

  /**
   * Sends one frame. A failure is counted; unless the interface is down at the time (which the
   * capture reports, and which passes), it is also said once (one WARN line, with what to do) and
   * ends this prober's sending: {@link #broken()} is true from then on.
   *
   * @return whether it was sent
   */
  boolean send(byte[] frame, IpAddress target) {
    if (broken.get()) {
      return false;
    }
    ownFrames.sending(frame);
    try {
      sender.send(frame);
      sent.incrementAndGet();
      return true;
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      failed.incrementAndGet();
      if (Interfaces.linkProblem(iface).isPresent()) {
        // the interface is down for now: the capture says so; sending works again when it is up
        return false;
      }
      if (broken.compareAndSet(false, true)) {
        log.warn(
            "cannot send an ARP request for {} on {} ({}); probing from {} stops, capturing goes on"
                + " — sending needs root or CAP_NET_RAW and the interface up; restart the sensor"
                + " to probe again",
            target,
            iface,
            oneLine(e),
            iface);
      }
      return false;
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
  }

  String iface() {
    return iface;
  }

  MacAddress mac() {
    return mac;
  }

  OwnFrames ownFrames() {
    return ownFrames;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** A send failed: this prober sends nothing more. */
  boolean broken() {
    return broken.get();
  }

  long sent() {
    return sent.get();
  }

  long failed() {
    return failed.get();
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
