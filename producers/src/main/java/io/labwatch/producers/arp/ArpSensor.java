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
 * heartbeat per interface every interval, probes watched IPs when configured to, and answers the
 * detection's confirmation requests ({@link Confirmer}) when given a {@link ProbeRequestSource}.
 */
public final class ArpSensor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ArpSensor.class);

  private final List<LiveCapture> captures;
  private final List<Prober> probers;
  private final Confirmer confirmer;
  private final ProbeRequestSource.Subscription requests;
  private final ScheduledExecutorService heartbeats;
  private final EventPublisher publisher;
  private final Clock clock;
  private final long intervalMs;

  private ArpSensor(
      List<LiveCapture> captures,
      List<Prober> probers,
      Confirmer confirmer,
      ProbeRequestSource.Subscription requests,
      EventPublisher publisher,
      Clock clock,
      long intervalMs) {
    this.captures = captures;
    this.probers = probers;
    this.confirmer = confirmer;
    this.requests = requests;
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
    return start(config, publisher, clock, null);
  }

  /**
   * Starts capturing and, unless {@code sensor.arp.confirm.enabled} is false or {@code requests} is
   * null, answers the confirmation requests of its segment ({@code sensor.arp.segment}) from {@code
   * requests} on every interface that can send (one that cannot is said once, and captured on all
   * the same).
   *
   * @throws LabwatchException with what to do
   */
  public static ArpSensor start(
      ArpSensorConfig config, EventPublisher publisher, Clock clock, ProbeRequestSource requests) {
    List<String> ifaces = interfaces(config);
    List<LiveCapture> captures = new ArrayList<>();
    List<Prober> probers = new ArrayList<>();
    Confirmer confirmer = null;
    ProbeRequestSource.Subscription subscription = null;
    try {
      List<OwnFrames> own = new ArrayList<>();
      for (String iface : ifaces) {
        OwnFrames frames = new OwnFrames();
        own.add(frames);
        captures.add(
            LiveCapture.start(
                iface,
                config.sensorIdFor(iface, ifaces.size()),
                config.segment(),
                config.promiscuous(),
                publisher,
                frames));
      }
      Prober periodic = null;
      if (config.probe().enabled()) {
        periodic = Prober.start(ifaces.get(0), config.probe(), own.get(0));
        probers.add(periodic);
      }
      if (config.confirm().enabled() && requests != null) {
        List<Confirmer.Station> stations = new ArrayList<>();
        for (int i = 0; i < ifaces.size(); i++) {
          String iface = ifaces.get(i);
          Prober p = i == 0 && periodic != null ? periodic : openForConfirming(iface, own.get(i));
          if (p == null) {
            continue;
          }
          if (p != periodic) {
            probers.add(p);
          }
          stations.add(
              new Confirmer.Station(
                  captures.get(i).sensorId(),
                  p,
                  () -> Interfaces.ipv4Addresses(iface),
                  config.segment()));
        }
        if (!stations.isEmpty()) {
          Confirmer c = new Confirmer(config.confirm(), stations, publisher, clock);
          captures.forEach(capture -> capture.afterPublish(c::onObservation));
          confirmer = c;
          subscription = requests.subscribe(c::onRequest);
          log.info(
              "confirming suspected conflicts with ARP requests from {} (sends packets;"
                  + " sensor.arp.confirm.enabled: false switches it off)",
              String.join(", ", c.interfaces()));
        }
      }
    } catch (RuntimeException e) {
      if (subscription != null) {
        subscription.close();
      }
      probers.forEach(Prober::close);
      captures.forEach(LiveCapture::close);
      throw e;
    }
    ArpSensor sensor =
        new ArpSensor(
            captures,
            probers,
            confirmer,
            subscription,
            publisher,
            clock,
            config.heartbeatInterval().toMillis());
    sensor.heartbeats.scheduleAtFixedRate(
        sensor::sendHeartbeats, 0, sensor.intervalMs, TimeUnit.MILLISECONDS);
    return sensor;
  }

  /** A prober for confirmations, or null (said once) when the interface cannot send. */
  private static Prober openForConfirming(String iface, OwnFrames own) {
    try {
      return Prober.open(iface, own);
    } catch (LabwatchException e) {
      log.warn(
          "no confirmation probes from {}, capturing goes on: {}",
          iface,
          e.getMessage().replace("capturing on " + iface + " needs", "sending needs"));
      return null;
    }
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

  /**
   * What the sensor did with confirmation requests so far; all zero when it does not answer any.
   */
  public ProbeCounts probeCounts() {
    return confirmer == null ? ProbeCounts.NONE : confirmer.counts();
  }

  /** Whether it answers confirmation requests (on at least one interface). */
  public boolean confirms() {
    return confirmer != null;
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
    if (requests != null) {
      requests.close();
    }
    if (confirmer != null) {
      confirmer.close();
      log.info("confirmation probes: {}", confirmer.counts().describe());
    }
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
