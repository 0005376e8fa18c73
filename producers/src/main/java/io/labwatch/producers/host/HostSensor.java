package io.labwatch.producers.host;

import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.producers.publish.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host sensor: samples this host's own metrics ({@link HostMetrics}: CPU, load, memory, disks,
 * file systems, interfaces, TCP, GPUs) every interval into {@code labwatch.host}, keyed by the host
 * name, and sends a heartbeat under the same name.
 *
 * <p>A metric this host cannot give (no swap, no GPU, a /proc file missing in a container, OSHI
 * throwing) is left out of the samples with one log line, said once; the sensor never stops for it.
 * The reachability probes of issue 15 (TCP, ICMP, ARP) are a part of their own that will run beside
 * the sampling here, publishing their results to the same topic.
 */
public final class HostSensor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HostSensor.class);

  /** The first sample's CPU window (and {@code --once}'s): utilisation needs two readings. */
  static final Duration FIRST_WINDOW = Duration.ofSeconds(1);

  private final HostSampler sampler;
  private final EventPublisher publisher;
  private final Clock clock;
  private final String hostName;
  private final long heartbeatMs;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong samples = new AtomicLong();
  private volatile String problem;
  private volatile Supplier<String> more;

  private HostSensor(
      HostSampler sampler,
      EventPublisher publisher,
      Clock clock,
      String hostName,
      long heartbeatMs) {
    this.sampler = sampler;
    this.publisher = publisher;
    this.clock = clock;
    this.hostName = hostName;
    this.heartbeatMs = heartbeatMs;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "labwatch-host-sensor");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts sampling: the first sample {@link #FIRST_WINDOW} from now, then one every {@code
   * config.interval()}; a heartbeat at once and every {@code config.heartbeatInterval()}.
   */
  public static HostSensor start(HostSensorConfig config, EventPublisher publisher, Clock clock) {
    String name = config.resolvedHostName();
    HostSampler sampler = sampler(config, name);
    sampler.prime();
    HostSensor sensor =
        new HostSensor(sampler, publisher, clock, name, config.heartbeatInterval().toMillis());
    sensor.scheduler.scheduleAtFixedRate(
        sensor::turn, FIRST_WINDOW.toMillis(), config.interval().toMillis(), TimeUnit.MILLISECONDS);
    sensor.scheduler.scheduleAtFixedRate(
        sensor::sendHeartbeat, 0, sensor.heartbeatMs, TimeUnit.MILLISECONDS);
    return sensor;
  }

  /**
   * Takes one sample — two readings {@link #FIRST_WINDOW} apart, so that it has CPU utilisation —
   * publishes it and flushes.
   *
   * @return the sample published
   */
  public static HostMetrics sampleOnce(
      HostSensorConfig config, EventPublisher publisher, Clock clock) throws InterruptedException {
    HostSampler sampler = sampler(config, config.resolvedHostName());
    sampler.prime();
    Thread.sleep(FIRST_WINDOW.toMillis());
    HostMetrics m = sampler.sample(clock.instant());
    publisher.hostMetrics(m);
    publisher.flush();
    return m;
  }

  private static HostSampler sampler(HostSensorConfig config, String name) {
    NvidiaSmi gpus =
        config.gpus() ? new NvidiaSmi(config.nvidiaSmi(), config.nvidiaSmiTimeout()) : null;
    return new HostSampler(name, gpus, new Skips());
  }

  private void turn() {
    try {
      publisher.hostMetrics(sampler.sample(clock.instant()));
      samples.incrementAndGet();
      if (problem != null) {
        log.info("host metrics of {} are sampled again", hostName);
        problem = null;
      }
    } catch (RuntimeException e) {
      // each part is guarded in the sampler: this is a bug or a publisher refusing, said once
      String p = "sampling failed: " + Skips.oneLine(e);
      if (!p.equals(problem)) {
        log.warn("host metrics of {}: {}", hostName, p, e);
      }
      problem = p;
    }
  }

  private void sendHeartbeat() {
    try {
      publisher.heartbeat(
          new Heartbeat(
              clock.instant(),
              hostName,
              heartbeatMs,
              new Heartbeat.Capture(samples.get(), 0, 0),
              heartbeatProblem()));
    } catch (RuntimeException e) {
      log.debug("heartbeat of {} not sent: {}", hostName, e.toString());
    }
  }

  /** The host name the samples carry: their key and sensor id. */
  public String sensorId() {
    return hostName;
  }

  /** Samples published so far. */
  public long samples() {
    return samples.get();
  }

  /** Why the last sample failed, or null when it did not. */
  public String problem() {
    return problem;
  }

  /**
   * Makes the heartbeats carry {@code more}'s problem too (the probes': targets stopped), so that
   * {@code labwatch status} shows it; null from it is none.
   */
  public HostSensor alsoReporting(Supplier<String> more) {
    this.more = more;
    return this;
  }

  /** The heartbeat's problem: the sampler's and the others', joined; null when none. */
  String heartbeatProblem() {
    String other = more == null ? null : more.get();
    if (problem == null) {
      return other;
    }
    return other == null ? problem : problem + "; " + other;
  }

  /** Stops sampling (a sample in flight finishes), then delivers what was published. */
  @Override
  public void close() {
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
    publisher.flush();
  }
}
