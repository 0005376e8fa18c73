package io.labwatch.producers.host.probe;

import io.labwatch.events.LabwatchException;
import io.labwatch.events.ProbeResult;
import io.labwatch.producers.host.probe.internal.ProbeUnavailable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs probes on their intervals and hands every result to a consumer — the host sensor's
 * publisher, which sends it to {@code labwatch.host} keyed by the sensor's host name (the result's
 * {@code sensorId}), with the result's event time as the record timestamp.
 *
 * <p>Each target runs at a fixed rate. TCP and ICMP probes start together, at once; ARP probes half
 * the shortest interval later ({@link #phase}). Together, because the agent runs on the servers it
 * watches and must be light: ten probes a second spread over the second woke the process ten times,
 * each time with cold caches, and cost 0.86 % of a core against 0.57 % when they ran together
 * (BENCHMARKS.md, "Host sensor") — a burst of a few connects and echoes is nothing to a network.
 * ARP probes apart, because the answers to their requests update the kernel's neighbour entry that
 * a TCP or ICMP probe of the same address is reading at that moment. Probes run on a pool of {@code
 * min(targets, }{@value #MAX_THREADS}{@code )} threads and every run is bounded by its timeout, so
 * a target that does not answer never delays another (with more targets than threads, a thread
 * freed by a run's end takes the next due run). A target's runs never overlap: the next waits for
 * the last.
 *
 * <p>The consumer is called from the pool's threads, for different targets at once: it must be
 * thread-safe (a Kafka producer is). Whatever it throws is logged and the probing goes on. A kind
 * of probe this host cannot run at all (ARP without CAP_NET_RAW, no {@code ping}) is said once, in
 * one WARN line with what to do, and that target stops; the others go on ({@link #problems()}).
 */
public final class ProbeScheduler implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

  /** Probes running at once, at most. */
  public static final int MAX_THREADS = 16;

  private final Probes probes;
  private final Consumer<ProbeResult> results;
  private final ScheduledThreadPoolExecutor pool;
  private final Duration longestTimeout;
  private final Map<ProbeSpec, ScheduledFuture<?>> runs = new LinkedHashMap<>();
  private final Map<ProbeSpec, String> problems =
      Collections.synchronizedMap(new LinkedHashMap<>());

  private ProbeScheduler(List<ProbeSpec> specs, Probes probes, Consumer<ProbeResult> results) {
    this.probes = probes;
    this.results = results;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ScheduledThreadPoolExecutor(
            Math.max(1, Math.min(specs.size(), MAX_THREADS)),
            r -> {
              Thread t = new Thread(r, "labwatch-probe-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.setRemoveOnCancelPolicy(true);
    this.longestTimeout =
        specs.stream().map(ProbeSpec::timeout).max(Duration::compareTo).orElse(Duration.ZERO);
  }

  /**
   * Checks that every target resolves, then starts probing them all.
   *
   * @param specs the targets ({@link ProbeSpec#parse})
   * @param probes what runs one probe ({@link Probes#system(String)})
   * @param results where each result goes; called from the probing threads
   * @throws LabwatchException naming the first target whose host does not resolve (to IPv4, for
   *     ARP); nothing has started then
   */
  public static ProbeScheduler start(
      List<ProbeSpec> specs, Probes probes, Consumer<ProbeResult> results) {
    for (ProbeSpec spec : specs) {
      probes.resolve(spec);
    }
    ProbeScheduler scheduler = new ProbeScheduler(List.copyOf(specs), probes, results);
    scheduler.schedule(List.copyOf(specs));
    return scheduler;
  }

  private void schedule(List<ProbeSpec> specs) {
    if (specs.isEmpty()) {
      return;
    }
    long shortestMs =
        specs.stream().map(ProbeSpec::interval).min(Duration::compareTo).orElseThrow().toMillis();
    synchronized (runs) {
      for (ProbeSpec spec : specs) {
        runs.put(
            spec,
            pool.scheduleAtFixedRate(
                () -> runOnce(spec),
                phase(spec, shortestMs),
                spec.interval().toMillis(),
                TimeUnit.MILLISECONDS));
      }
    }
    log.info(
        "probing {} target(s) as {}: {}",
        specs.size(),
        probes.sensorId(),
        specs.stream().map(ProbeSpec::text).toList());
  }

  /** When a target's first run starts: TCP and ICMP at once, ARP half the shortest interval on. */
  static long phase(ProbeSpec spec, long shortestIntervalMs) {
    return spec.kind() == ProbeResult.Kind.ARP ? shortestIntervalMs / 2 : 0;
  }

  private void runOnce(ProbeSpec spec) {
    // a task that throws is never run again: nothing may escape
    ProbeResult result;
    try {
      result = probes.run(spec);
    } catch (ProbeUnavailable e) {
      stop(spec, e.getMessage());
      return;
    } catch (RuntimeException e) {
      log.warn("probe '{}' failed unexpectedly; it goes on", spec, e);
      return;
    }
    if (pool.isShutdown()) {
      return; // closing: a run cut short by it is not a result
    }
    try {
      results.accept(result);
    } catch (RuntimeException e) {
      log.warn("a result of probe '{}' could not be handed on: {}", spec, e.toString());
    }
  }

  private void stop(ProbeSpec spec, String why) {
    if (problems.putIfAbsent(spec, why) == null) {
      log.warn("probe '{}' stops: {}; the other probes go on", spec, why);
    }
    synchronized (runs) {
      ScheduledFuture<?> run = runs.remove(spec);
      if (run != null) {
        run.cancel(false);
      }
    }
  }

  /** Targets that stopped because this host cannot run them, with why; empty when none did. */
  /** The stopped targets in one line ({@code probes stopped: why; why}), or null when none. */
  public String problem() {
    Map<String, String> p = problems();
    return p.isEmpty() ? null : "probes stopped: " + String.join("; ", p.values());
  }

  public Map<String, String> problems() {
    synchronized (problems) {
      Map<String, String> copy = new LinkedHashMap<>();
      problems.forEach((spec, why) -> copy.put(spec.text(), why));
      return copy;
    }
  }

  /** The targets still being probed. */
  public List<String> running() {
    synchronized (runs) {
      List<String> texts = new ArrayList<>();
      runs.keySet().forEach(s -> texts.add(s.text()));
      return texts;
    }
  }

  /**
   * Stops probing: no run starts after this; runs under way end within their timeout, and this
   * waits for them (at most the longest timeout and a second), so no result arrives after it
   * returns unless a run outlived that.
   */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(longestTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
