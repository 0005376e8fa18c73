package io.labwatch.producers.arp;

import io.labwatch.events.IpAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether a confirmation probe may run now: at most one run per IP per {@code perIpInterval}, at
 * most {@code ratePerSecond} runs per second (a token bucket holding one second's worth, so a burst
 * of that many passes at once), and at most {@code maxInFlight} runs under way. Times are {@link
 * System#nanoTime()} values, passed in so that tests set them. Thread-safe.
 */
final class ProbeLimiter {

  /** What the limiter says to a request. */
  enum Verdict {
    RUN,
    SAME_IP,
    RATE,
    IN_FLIGHT
  }

  /** Entries older than the per-IP interval are swept when the map grows past this. */
  private static final int SWEEP_AT = 4096;

  private final long perIpNanos;
  private final int ratePerSecond;
  private final int maxInFlight;
  private final Map<IpAddress, Long> lastRun = new HashMap<>();
  private double tokens;
  private long refilledAt;
  private boolean started;
  private int inFlight;

  ProbeLimiter(Duration perIpInterval, int ratePerSecond, int maxInFlight) {
    this.perIpNanos = perIpInterval.toNanos();
    this.ratePerSecond = ratePerSecond;
    this.maxInFlight = maxInFlight;
    this.tokens = ratePerSecond;
  }

  /** Decides on a run for {@code ip} at {@code nowNanos}; a {@code RUN} must be {@link #done}. */
  synchronized Verdict tryStart(IpAddress ip, long nowNanos) {
    refill(nowNanos);
    Long last = lastRun.get(ip);
    if (last != null && nowNanos - last < perIpNanos) {
      return Verdict.SAME_IP;
    }
    if (inFlight >= maxInFlight) {
      return Verdict.IN_FLIGHT;
    }
    if (tokens < 1) {
      return Verdict.RATE;
    }
    tokens -= 1;
    inFlight++;
    if (lastRun.size() >= SWEEP_AT) {
      lastRun.values().removeIf(t -> nowNanos - t >= perIpNanos);
    }
    lastRun.put(ip, nowNanos);
    return Verdict.RUN;
  }

  /** A run that {@link #tryStart} allowed has ended. */
  synchronized void done() {
    if (inFlight > 0) {
      inFlight--;
    }
  }

  synchronized int inFlight() {
    return inFlight;
  }

  private void refill(long now) {
    if (!started) {
      started = true;
      refilledAt = now;
      return;
    }
    long elapsed = now - refilledAt;
    if (elapsed > 0) {
      tokens = Math.min(ratePerSecond, tokens + elapsed * (ratePerSecond / 1e9));
      refilledAt = now;
    }
  }
}
