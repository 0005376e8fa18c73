package io.labwatch.streams.health;

/**
 * Per-second rates from raw counters sampled twice, as Prometheus' {@code rate()} computes them
 * between two samples — but a counter that went back is not simply taken as a reset:
 *
 * <ul>
 *   <li>when the source says it restarted (a host's uptime, an agent's {@code sysUpTime} gone back;
 *       an interface's {@code ifCounterDiscontinuityTime} moved), there is no rate for that sample
 *       — not a spike, and not the zero-based guess {@code rate()} makes;
 *   <li>a 32-bit counter that went back while its source went on has wrapped: the rate counts the
 *       2^32 in between, unless that rate is more than the counter could have counted (an
 *       interface's speed), when it was an unseen reset and there is no rate;
 *   <li>a 64-bit counter that went back was reset (a 64-bit octet counter at 100 Gbit/s wraps after
 *       46 years): no rate.
 * </ul>
 *
 * A rate that cannot be told is {@link Double#NaN}; callers skip the sample.
 */
public final class CounterRate {

  private static final double TWO_32 = 4_294_967_296.0;

  private CounterRate() {}

  /**
   * The counter's rate per second from {@code previous} to {@code current}, {@code seconds} apart.
   *
   * @param bits 32 or 64: where the counter wraps (64-bit values are unsigned, held in a long)
   * @param restarted the source restarted, or said its counters are discontinuous, in between
   * @param maxPerSecond the most the counter can count per second (e.g. an interface's octets at
   *     its speed), or {@link Double#POSITIVE_INFINITY} when not known
   */
  public static double perSecond(
      long previous,
      long current,
      int bits,
      double seconds,
      boolean restarted,
      double maxPerSecond) {
    if (!(seconds > 0) || restarted) {
      return Double.NaN;
    }
    if (Long.compareUnsigned(current, previous) >= 0) {
      double delta = unsigned(current - previous);
      return delta / seconds;
    }
    if (bits != 32) {
      return Double.NaN;
    }
    double wrapped = TWO_32 - unsigned(previous) + unsigned(current);
    double rate = wrapped / seconds;
    return rate <= maxPerSecond ? rate : Double.NaN;
  }

  /**
   * The rate of the counter {@code name} from its value in {@code before} (the previous sample's
   * counters) to {@code value}, which is put in {@code now} (this sample's); NaN when there was no
   * value before or it cannot be told (see {@link #perSecond}).
   */
  public static double between(
      java.util.Map<String, Long> before,
      java.util.Map<String, Long> now,
      String name,
      Long value,
      int bits,
      double seconds,
      boolean restarted,
      double maxPerSecond) {
    if (value == null) {
      return Double.NaN;
    }
    now.put(name, value);
    Long previous = before.get(name);
    return previous == null
        ? Double.NaN
        : perSecond(previous, value, bits, seconds, restarted, maxPerSecond);
  }

  private static double unsigned(long v) {
    return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
  }

  /**
   * Whether an SNMP agent restarted between two polls, from its {@code sysUpTime} (hundredths of a
   * second, a TimeTicks that wraps after 497 days): it restarted when its uptime went back, unless
   * it went back by as much as a TimeTicks wrap in the time between the polls.
   */
  public static boolean agentRestarted(long previousTicks, long currentTicks, double seconds) {
    if (currentTicks >= previousTicks) {
      // (went on — but by less than the time between the polls, far less: restarted and up again)
      double expected = seconds * 100;
      return seconds > 0 && currentTicks - previousTicks < expected * 0.5 - 500;
    }
    double expected = previousTicks + seconds * 100;
    double afterWrap = expected - TWO_32;
    return afterWrap < 0 || Math.abs(currentTicks - afterWrap) > Math.max(500, seconds * 50);
  }
}
