package io.labwatch.streams.health;

import io.labwatch.events.Severity;

/**
 * One series' learned baseline and its spike state: an exponentially weighted mean of the values
 * and of their absolute deviation from it, with a half-life in time (samples may come at any
 * interval), and whether the series is spiking. A few numbers per series, whatever its history.
 *
 * <p>Mutable, stored as JSON inside its host's or interface's state.
 */
public final class Series {

  /** The baseline's mean. */
  public double mean;

  /** The baseline's mean absolute deviation from {@link #mean}. */
  public double dev;

  /** When the series was first seen (ms): it is warming up until {@code warmUp} later. */
  public long since;

  /** The latest sample's time (ms). */
  public long lastAt;

  /** The latest value. */
  public double last;

  /** Consecutive samples above the firing threshold, and since when (ms). */
  public int above;

  public long aboveSince;

  /** Consecutive samples below the resolving threshold, while firing. */
  public int below;

  /** The severity it fires with; null while it does not fire. */
  public Severity firing;

  /** When the spike began: its first sample above the threshold (ms). */
  public long firingSince;

  /** The highest value of the spike so far. */
  public double peak;

  /** The baseline when the spike began (the baseline learns slowly while it spikes). */
  public double firedMean;

  public double firedDev;

  public Series() {}

  /** What a sample did to the series. */
  public enum Change {
    NONE,
    FIRED,
    ESCALATED,
    RESOLVED
  }

  /** Whether it has learned long enough to be judged. */
  public boolean warm(long t, long warmUpMs) {
    return t - since >= warmUpMs;
  }

  /** The deviation used for thresholds: never under the level's floor for it. */
  public double deviation(Level level) {
    return Math.max(dev, level.minDeviation());
  }

  /**
   * Takes one sample and says what changed. The baseline learns from normal samples at the full
   * rate and, so that a lasting new level becomes normal in the end, from samples above the
   * threshold at a tenth of it.
   */
  public Change observe(double x, long t, Level level, Rules rules) {
    if (lastAt == 0 && since == 0) {
      mean = x;
      dev = 0;
      since = t;
      lastAt = t;
      last = x;
      return Change.NONE;
    }
    if (t <= lastAt) {
      return Change.NONE; // (a sample again, or out of order: the baseline has it)
    }
    double d = deviation(level);
    double fireAt = Math.max(level.floor(), mean + rules.k() * d);
    double resolveAt = Math.max(level.floor() * 0.9, mean + rules.resolveK() * d);
    boolean warm = warm(t, rules.warmUpMs());
    Change change = Change.NONE;
    if (firing == null) {
      if (warm && x > fireAt) {
        if (above++ == 0) {
          aboveSince = t;
        }
        if (above >= rules.samples()) {
          firing = x >= level.critical() ? Severity.CRITICAL : Severity.WARNING;
          firingSince = aboveSince;
          peak = x;
          firedMean = mean;
          firedDev = d;
          below = 0;
          change = Change.FIRED;
        }
      } else {
        above = 0;
      }
    } else {
      peak = Math.max(peak, x);
      if (x < resolveAt) {
        if (++below >= rules.samples()) {
          firing = null;
          above = 0;
          below = 0;
          change = Change.RESOLVED;
        }
      } else {
        below = 0;
        if (firing == Severity.WARNING && x >= level.critical()) {
          firing = Severity.CRITICAL;
          change = Change.ESCALATED;
        }
      }
    }
    double alpha = 1 - Math.pow(0.5, (t - lastAt) / (double) learningHalfLife(warm, rules));
    if (firing != null || above > 0) {
      alpha /= 10;
    }
    double err = x - mean;
    mean += alpha * err;
    dev += alpha * (Math.abs(err) - dev);
    lastAt = t;
    last = x;
    return change;
  }

  /**
   * Half-lives of the baseline in a warm-up, at least: the series starts at its first sample, and a
   * host sensor's first samples are often its own start ({@code labwatch run}'s: the CPU at 80-100
   * % for up to 15 s on 2 cores). With the default half-life (1 h) through the default warm-up (30
   * min), such a start left the mean at about 0.7 and the threshold above 100 % for hours after the
   * warm-up; with 8 half-lives in the warm-up it is 1/256 of what it was (SeriesTest).
   */
  static final int WARM_UP_HALF_LIVES = 8;

  /** The half-life the baseline learns with: shorter while it warms up (above). */
  static long learningHalfLife(boolean warm, Rules rules) {
    return warm
        ? rules.halfLifeMs()
        : Math.max(1, Math.min(rules.halfLifeMs(), rules.warmUpMs() / WARM_UP_HALF_LIVES));
  }

  /**
   * What a kind of series may do before it is a spike.
   *
   * @param floor a value at or under this is never a spike, whatever the baseline
   * @param critical a spike at or over this is critical (else a warning)
   * @param minDeviation the least deviation a threshold is computed with (a flat series' deviation
   *     is near zero, where any wiggle would be "many deviations")
   */
  public record Level(double floor, double critical, double minDeviation) {}

  /**
   * How every series is judged.
   *
   * @param k a spike is above the baseline's mean by more than this many deviations
   * @param resolveK it resolves under the mean plus this many deviations (and under 90 % of the
   *     floor): hysteresis
   * @param samples for this many consecutive samples, both to fire and to resolve
   * @param halfLifeMs the baseline's memory: a sample this old weighs half as much as a new one
   * @param warmUpMs nothing fires until a series has been learned this long
   */
  public record Rules(double k, double resolveK, int samples, long halfLifeMs, long warmUpMs) {}
}
