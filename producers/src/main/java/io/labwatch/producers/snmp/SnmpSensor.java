package io.labwatch.producers.snmp;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.snmp.SnmpSensorConfig.DeviceSettings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SNMP sensor: polls each configured device every interval — its ARP table into {@code
 * labwatch.arp} as {@link ArpObservation}s of class ROUTER_TABLE (new and changed entries at once,
 * all of them every refresh interval), its interface counters into {@code labwatch.snmp} as {@link
 * InterfaceCounters} — and sends a heartbeat per device (the device's name as sensor id) that
 * carries the device's problem, if it has one.
 *
 * <p>Devices are polled concurrently, each on a thread of its own and with its own timeouts: a
 * device that does not answer delays no other. A device whose previous poll is still running skips
 * a turn. Whatever a device does — no answer, a refusal, garbage — is one log line naming it and
 * the cause when it starts (and one when it ends), and the poll's problem in its heartbeats; the
 * sensor goes on polling every device.
 */
public final class SnmpSensor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SnmpSensor.class);

  /** At most this many polls run at once; more devices than this wait their turn. */
  static final int MAX_CONCURRENT_POLLS = 64;

  private final List<Device> devices;
  private final EventPublisher publisher;
  private final Clock clock;
  private final long heartbeatMs;
  private final AutoCloseable session;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService polls;

  private SnmpSensor(
      List<Device> devices,
      EventPublisher publisher,
      Clock clock,
      long heartbeatMs,
      AutoCloseable session) {
    this.devices = devices;
    this.publisher = publisher;
    this.clock = clock;
    this.heartbeatMs = heartbeatMs;
    this.session = session;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("labwatch-snmp-timer"));
    this.polls =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(devices.size(), MAX_CONCURRENT_POLLS)),
            daemon("labwatch-snmp-poll"));
  }

  /**
   * Starts polling every configured device and sending heartbeats: every device's first poll at
   * once (the picture at start), the next ones spread over the interval ({@link #offset}).
   *
   * @throws LabwatchException when no device is configured, or the UDP socket cannot be opened
   */
  public static SnmpSensor start(SnmpSensorConfig config, EventPublisher publisher, Clock clock) {
    Snmp4jSession session = open();
    try {
      return start(config, publisher, clock, session, session::client);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Starts with {@code clients} as the devices' ends of the protocol (tests give fakes). */
  static SnmpSensor start(
      SnmpSensorConfig config,
      EventPublisher publisher,
      Clock clock,
      AutoCloseable session,
      Function<DeviceSettings, SnmpClient> clients) {
    if (!config.enabled()) {
      throw new LabwatchException(
          "no SNMP devices to poll: give one with --target, or list them under"
              + " sensor.snmp.devices");
    }
    List<Device> devices = devices(config, clients);
    SnmpSensor sensor =
        new SnmpSensor(devices, publisher, clock, config.heartbeatInterval().toMillis(), session);
    for (int i = 0; i < devices.size(); i++) {
      Device d = devices.get(i);
      long every = d.settings.interval().toMillis();
      sensor.scheduler.execute(() -> sensor.turn(d));
      sensor.scheduler.scheduleAtFixedRate(
          () -> sensor.turn(d), every + offset(i, devices.size(), every), every, MILLISECONDS);
    }
    sensor.scheduler.scheduleAtFixedRate(
        sensor::sendHeartbeats, sensor.heartbeatMs, sensor.heartbeatMs, TimeUnit.MILLISECONDS);
    return sensor;
  }

  /**
   * Where in its interval device {@code i} of {@code n} is polled after its first poll: the devices
   * spread evenly over the interval, as Prometheus spreads its scrape targets, so that their polls
   * do not all run at the same moment. Twenty routers' tables decoded at once were all live in the
   * heap together, and the collector copied them (BENCHMARKS.md, "SNMP sensor"); the routers'
   * answers do not arrive in one burst either.
   */
  static long offset(int i, int n, long intervalMs) {
    return n <= 1 ? 0 : intervalMs * i / n;
  }

  /**
   * Polls every configured device once, all at once, publishes what they gave and flushes.
   *
   * @return one outcome per device, in the configured order
   */
  public static List<Outcome> pollOnce(
      SnmpSensorConfig config, EventPublisher publisher, Clock clock) {
    try (Snmp4jSession session = open()) {
      return pollOnce(config, publisher, clock, session::client);
    }
  }

  static List<Outcome> pollOnce(
      SnmpSensorConfig config,
      EventPublisher publisher,
      Clock clock,
      Function<DeviceSettings, SnmpClient> clients) {
    if (!config.enabled()) {
      throw new LabwatchException(
          "no SNMP devices to poll: give one with --target, or list them under"
              + " sensor.snmp.devices");
    }
    List<Device> devices = devices(config, clients);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(devices.size(), MAX_CONCURRENT_POLLS), daemon("labwatch-snmp-poll"));
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (Device d : devices) {
        futures.add(pool.submit(() -> poll(d, publisher, clock)));
      }
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> f : futures) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new LabwatchException("interrupted while polling");
        }
      }
      publisher.flush();
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Snmp4jSession open() {
    try {
      return Snmp4jSession.open();
    } catch (IOException e) {
      throw new LabwatchException("cannot open a UDP socket for SNMP: " + e.getMessage());
    }
  }

  private static List<Device> devices(
      SnmpSensorConfig config, Function<DeviceSettings, SnmpClient> clients) {
    List<Device> out = new ArrayList<>();
    for (DeviceSettings s : config.resolved()) {
      SnmpClient client = clients.apply(s);
      out.add(
          new Device(
              s,
              client,
              new DevicePoller(s, client, config.maxRepetitions()),
              new ArpTableDiff(config.refreshInterval())));
    }
    return out;
  }

  /** One device's part of the sensor. */
  private static final class Device {
    final DeviceSettings settings;
    final SnmpClient client;
    final DevicePoller poller;
    final ArpTableDiff table;
    final AtomicBoolean busy = new AtomicBoolean();
    final AtomicLong polls = new AtomicLong();
    final AtomicInteger skipped = new AtomicInteger();
    volatile String problem;
    volatile boolean polled;
    volatile String logged;

    Device(DeviceSettings settings, SnmpClient client, DevicePoller poller, ArpTableDiff table) {
      this.settings = settings;
      this.client = client;
      this.poller = poller;
      this.table = table;
    }
  }

  /**
   * What one poll of one device did.
   *
   * @param device the device's name (its sensor id)
   * @param address where it was asked
   * @param problem what went wrong, in one line; null when nothing did
   * @param arpEntries entries of its ARP table, or -1 when not read
   * @param interfaces interfaces whose counters were read, or -1 when not read
   * @param published records published
   * @param requests requests the poll took
   * @param took how long it took
   */
  public record Outcome(
      String device,
      String address,
      String problem,
      int arpEntries,
      int interfaces,
      int published,
      int requests,
      Duration took) {

    public boolean ok() {
      return problem == null;
    }
  }

  private void turn(Device d) {
    if (!d.busy.compareAndSet(false, true)) {
      // still polling: a slow or huge device skips a turn rather than queue polls up
      if (d.skipped.incrementAndGet() == 1) {
        log.warn(
            "SNMP {} ({}): a poll takes longer than the {} interval; skipping turns while it runs",
            d.settings.name(),
            d.settings.address(),
            Durations.text(d.settings.interval()));
      }
      return;
    }
    try {
      polls.execute(
          () -> {
            try {
              Outcome o = poll(d, publisher, clock);
              d.polls.incrementAndGet();
              noteProblem(d, o.problem());
            } catch (RuntimeException e) {
              noteProblem(d, "polling failed: " + Snmp4jSession.oneLine(e));
              log.debug("SNMP {}: poll failed", d.settings.name(), e);
            } finally {
              d.busy.set(false);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      d.busy.set(false); // stopping
    }
  }

  private static Outcome poll(Device d, EventPublisher publisher, Clock clock) {
    long started = System.nanoTime();
    DevicePoller.Result r = d.poller.poll(clock.instant());
    int published = 0;
    for (ArpObservation o : d.table.next(r, d.settings.name())) {
      publisher.observation(o);
      published++;
    }
    if (r.counters() != null) {
      for (InterfaceCounters c : r.counters()) {
        publisher.counters(c);
        published++;
      }
    }
    d.polled = true;
    return new Outcome(
        d.settings.name(),
        d.settings.address(),
        r.problem(),
        r.arp() == null ? -1 : r.arp().size(),
        r.counters() == null ? -1 : r.counters().size(),
        published,
        r.requests(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  /** One line when a device's problem starts or changes, one when it ends. */
  private static void noteProblem(Device d, String problem) {
    String logged = d.logged;
    d.problem = problem;
    if (problem != null && !problem.equals(logged)) {
      log.warn("SNMP {} ({}): {}", d.settings.name(), d.settings.address(), problem);
      d.logged = problem;
    } else if (problem == null && logged != null) {
      log.info("SNMP {} ({}) answers again", d.settings.name(), d.settings.address());
      d.logged = null;
    }
  }

  private void sendHeartbeats() {
    Instant now = clock.instant();
    for (Device d : devices) {
      try {
        publisher.heartbeat(
            new Heartbeat(
                now,
                d.settings.name(),
                heartbeatMs,
                new Heartbeat.Capture(d.client.responses(), 0, 0),
                d.polled ? d.problem : null));
      } catch (RuntimeException e) {
        log.debug("heartbeat of {} not sent: {}", d.settings.name(), e.toString());
      }
    }
  }

  /** The devices' names, their sensor ids. */
  public List<String> sensorIds() {
    return devices.stream().map(d -> d.settings.name()).toList();
  }

  /** Each device's address, by name. */
  public Map<String, String> addresses() {
    Map<String, String> out = new LinkedHashMap<>();
    devices.forEach(d -> out.put(d.settings.name(), d.settings.address()));
    return out;
  }

  /** Null while every device answers; else each device's problem, {@code name: problem; ...}. */
  public String problem() {
    List<String> out = new ArrayList<>();
    for (Device d : devices) {
      String p = d.problem;
      if (p != null) {
        out.add(d.settings.name() + ": " + p);
      }
    }
    return out.isEmpty() ? null : String.join("; ", out);
  }

  /** Polls finished so far, all devices together. */
  public long polls() {
    return devices.stream().mapToLong(d -> d.polls.get()).sum();
  }

  /** Stops polling (a poll in flight is abandoned), then delivers what was published. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    polls.shutdownNow();
    try {
      polls.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      session.close();
    } catch (Exception e) {
      log.debug("closing the SNMP session: {}", e.toString());
    }
    publisher.flush();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
