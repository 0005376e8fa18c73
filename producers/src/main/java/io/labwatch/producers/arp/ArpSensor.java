package io.labwatch.producers.arp;

import io.labwatch.events.Heartbeat;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.publish.EventPublisher;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live ARP sensor: captures on one or more interfaces, publishes what it sees, sends a
 * heartbeat per interface every interval, and probes watched IPs when asked to.
 */
public final class ArpSensor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ArpSensor.class);

  private final List<LiveCapture> captures;
  private final List<Prober> probers;
  private final ScheduledExecutorService heartbeats;
  private final EventPublisher publisher;
  private final Clock clock;
  private final long intervalMs;

  private ArpSensor(
      List<LiveCapture> captures,
      List<Prober> probers,
      EventPublisher publisher,
      Clock clock,
      long intervalMs) {
    this.captures = captures;
    this.probers = probers;
    this.publisher = publisher;
    this.clock = clock;
    this.intervalMs = intervalMs;
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "labwatch-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts capturing. Every interface is opened before anything is published, so a wrong name, a
   * missing permission or a missing libpcap fails the start in one line.
   *
   * @throws LabwatchException with what to do
   */
  public static ArpSensor start(ArpSensorConfig config, EventPublisher publisher, Clock clock) {
    List<String> ifaces = interfaces(config);
    List<LiveCapture> captures = new ArrayList<>();
    List<Prober> probers = new ArrayList<>();
    try {
      for (String iface : ifaces) {
        captures.add(
            LiveCapture.start(
                iface, config.sensorIdFor(iface, ifaces.size()), config.promiscuous(), publisher));
      }
      if (config.probe().enabled()) {
        probers.add(Prober.start(ifaces.get(0), config.probe()));
      }
    } catch (RuntimeException e) {
      probers.forEach(Prober::close);
      captures.forEach(LiveCapture::close);
      throw e;
    }
    ArpSensor sensor =
        new ArpSensor(captures, probers, publisher, clock, config.heartbeatInterval().toMillis());
    sensor.heartbeats.scheduleAtFixedRate(
        sensor::sendHeartbeats, 0, sensor.intervalMs, TimeUnit.MILLISECONDS);
    return sensor;
  }

  /** The configured interfaces, or the default route's. */
  public static List<String> interfaces(ArpSensorConfig config) {
    if (!config.interfaces().isEmpty()) {
      return config.interfaces();
    }
    return List.of(
        Interfaces.defaultRouteInterface()
            .orElseThrow(
                () ->
                    new LabwatchException(
                        "this host has no default route to pick an interface from; name one with"
                            + " --iface (this host has: "
                            + String.join(", ", Interfaces.names())
                            + ")")));
  }

  public List<String> sensorIds() {
    return captures.stream().map(LiveCapture::sensorId).toList();
  }

  public List<String> interfaces() {
    return captures.stream().map(LiveCapture::iface).toList();
  }

  /** Observations parsed and frames skipped so far, over all interfaces. */
  public long observations() {
    return captures.stream().mapToLong(c -> c.parseStats().parsedCount()).sum();
  }

  /** Capture counts since start, per sensor id. */
  public java.util.Map<String, Heartbeat.Capture> captureStats() {
    java.util.Map<String, Heartbeat.Capture> out = new java.util.LinkedHashMap<>();
    captures.forEach(c -> out.put(c.sensorId(), c.captureStats()));
    return out;
  }

  /** Null while every interface captures; else what is wrong, e.g. {@code eth1 is down}. */
  public String problem() {
    List<String> problems = new java.util.ArrayList<>();
    for (LiveCapture c : captures) {
      String p = c.problem();
      if (p != null) {
        problems.add(p);
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private void sendHeartbeats() {
    for (LiveCapture c : captures) {
      try {
        publisher.heartbeat(
            new Heartbeat(
                clock.instant(), c.sensorId(), intervalMs, c.captureStats(), c.problem()));
      } catch (RuntimeException e) {
        log.debug("heartbeat for {} not sent: {}", c.sensorId(), e.toString());
      }
    }
  }

  /** Stops probing and capturing, then delivers what was captured. */
  @Override
  public void close() {
    heartbeats.shutdownNow();
    probers.forEach(Prober::close);
    captures.forEach(LiveCapture::close);
    try {
      heartbeats.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publisher.flush();
  }
}
