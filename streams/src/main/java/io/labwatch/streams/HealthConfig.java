package io.labwatch.streams;

import io.labwatch.streams.health.Series;
import java.time.Duration;

/**
 * The rules over host metrics, interface counters and probe results ({@code detection.health.*}):
 * load spikes against a learned baseline, interface errors and links, unreachable services.
 *
 * <p>A series (a host's CPU, one disk's busy time, one interface's traffic in) learns its baseline
 * online: an exponentially weighted mean and mean absolute deviation with a half-life of {@code
 * halfLife}. It spikes when, after {@code warmUp}, it is above both its kind's absolute {@code
 * floor} and its mean by more than {@code deviations} deviations for {@code samples} samples in a
 * row — critical at or above the kind's {@code critical} level — and resolves once it is back under
 * its mean plus {@code resolveDeviations} deviations (or 90 % of the floor) for as many samples.
 *
 * @param warmUp nothing fires for a series until it has been learned this long
 * @param halfLife the baseline's memory: a sample this old weighs half as much as a new one
 * @param deviations a spike is this many deviations above the baseline
 * @param resolveDeviations ... and it is over below this many
 * @param samples consecutive samples to fire and to resolve
 * @param cpu a host's CPU busy share (0..1)
 * @param loadPerCore its 1-minute load average divided by its logical processors
 * @param memory its memory in use, as a share of all (0..1)
 * @param swapIn pages swapped in per second
 * @param diskBusy a disk's busy time, as a share of the time (0..1)
 * @param gpu a GPU's utilisation (0..1)
 * @param gpuMemory a GPU's memory in use, as a share of its memory (0..1)
 * @param interfaceUtilization a router's interface traffic, in or out, as a share of its speed
 * @param interfaceErrors an interface's errors and discards per second (host and router):
 *     INTERFACE_ERRORS
 * @param probeWindow a service's probe results are counted over this long
 * @param probeFailureRatio a service is unreachable (warning) when at least this share of its
 *     probes in the window failed ...
 * @param probeMinFailures ... and at least this many; critical when every probe in the window
 *     failed (and at least this many)
 * @param probeQuiet SERVICE_UNREACHABLE resolves after this long without a failed probe
 * @param linkFlaps LINK_FLAPPING when an interface's status changed this many times ...
 * @param linkFlapWindow ... within this long
 */
public record HealthConfig(
    Duration warmUp,
    Duration halfLife,
    double deviations,
    double resolveDeviations,
    int samples,
    Series.Level cpu,
    Series.Level loadPerCore,
    Series.Level memory,
    Series.Level swapIn,
    Series.Level diskBusy,
    Series.Level gpu,
    Series.Level gpuMemory,
    Series.Level interfaceUtilization,
    Series.Level interfaceErrors,
    Duration probeWindow,
    double probeFailureRatio,
    int probeMinFailures,
    Duration probeQuiet,
    int linkFlaps,
    Duration linkFlapWindow) {

  public HealthConfig {
    nonNegative(warmUp, "warmUp");
    positive(halfLife, "halfLife");
    positive(probeWindow, "probeWindow");
    positive(probeQuiet, "probeQuiet");
    positive(linkFlapWindow, "linkFlapWindow");
    if (!(deviations > 0)) {
      throw new IllegalArgumentException("deviations: must be > 0, got " + deviations);
    }
    if (!(resolveDeviations >= 0 && resolveDeviations < deviations)) {
      throw new IllegalArgumentException(
          "resolveDeviations: must be >= 0 and less than deviations ("
              + deviations
              + "), got "
              + resolveDeviations);
    }
    if (samples < 1) {
      throw new IllegalArgumentException("samples: must be at least 1, got " + samples);
    }
    if (!(probeFailureRatio > 0 && probeFailureRatio <= 1)) {
      throw new IllegalArgumentException(
          "probeFailureRatio: must be in (0, 1], got " + probeFailureRatio);
    }
    if (probeMinFailures < 1) {
      throw new IllegalArgumentException(
          "probeMinFailures: must be at least 1, got " + probeMinFailures);
    }
    if (linkFlaps < 2) {
      throw new IllegalArgumentException("linkFlaps: must be at least 2, got " + linkFlaps);
    }
    Series.Level[] levels = {
      cpu,
      loadPerCore,
      memory,
      swapIn,
      diskBusy,
      gpu,
      gpuMemory,
      interfaceUtilization,
      interfaceErrors
    };
    String[] names = {
      "cpu",
      "loadPerCore",
      "memory",
      "swapIn",
      "diskBusy",
      "gpu",
      "gpuMemory",
      "interfaceUtilization",
      "interfaceErrors"
    };
    for (int i = 0; i < levels.length; i++) {
      Series.Level l = levels[i];
      if (l == null) {
        throw new IllegalArgumentException(names[i] + ": is required");
      }
      if (!(l.floor() >= 0) || !(l.critical() >= l.floor()) || !(l.minDeviation() > 0)) {
        throw new IllegalArgumentException(
            names[i]
                + ": needs floor >= 0, critical >= floor and minDeviation > 0, got floor "
                + l.floor()
                + ", critical "
                + l.critical()
                + ", minDeviation "
                + l.minDeviation());
      }
    }
  }

  /** What labwatch ships. */
  public static HealthConfig defaults() {
    return new HealthConfig(
        Duration.ofMinutes(30), // warmUp
        Duration.ofHours(1), // halfLife
        4, // deviations
        2, // resolveDeviations
        3, // samples
        new Series.Level(0.5, 0.9, 0.02), // cpu
        new Series.Level(1.0, 2.0, 0.05), // loadPerCore
        new Series.Level(0.85, 0.95, 0.01), // memory
        new Series.Level(100, 1000, 5), // swapIn (pages/s)
        new Series.Level(0.6, 0.9, 0.02), // diskBusy
        new Series.Level(0.5, 0.95, 0.02), // gpu
        new Series.Level(0.8, 0.97, 0.01), // gpuMemory
        new Series.Level(0.5, 0.9, 0.02), // interfaceUtilization
        new Series.Level(1, 100, 0.1), // interfaceErrors (per second)
        Duration.ofMinutes(10), // probeWindow
        0.2, // probeFailureRatio
        3, // probeMinFailures
        Duration.ofMinutes(5), // probeQuiet
        4, // linkFlaps
        Duration.ofMinutes(10)); // linkFlapWindow
  }

  /** The baseline and spike rules every series is judged by. */
  public Series.Rules rules() {
    return new Series.Rules(
        deviations, resolveDeviations, samples, halfLife.toMillis(), warmUp.toMillis());
  }

  /** The same rules with another warm-up (tests and short demos). */
  public HealthConfig withWarmUp(Duration d) {
    return new HealthConfig(
        d,
        halfLife,
        deviations,
        resolveDeviations,
        samples,
        cpu,
        loadPerCore,
        memory,
        swapIn,
        diskBusy,
        gpu,
        gpuMemory,
        interfaceUtilization,
        interfaceErrors,
        probeWindow,
        probeFailureRatio,
        probeMinFailures,
        probeQuiet,
        linkFlaps,
        linkFlapWindow);
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": must be a positive duration, got " + d);
    }
  }

  private static void nonNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + ": must be a duration >= 0, got " + d);
    }
  }
}
