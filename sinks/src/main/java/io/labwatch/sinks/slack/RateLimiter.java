package io.labwatch.sinks.slack;

import java.util.HashMap;
import java.util.Map;

/**
 * At most one message per second per channel — Slack's documented limit for posting — with a short
 * burst allowed: a token bucket per channel.
 */
final class RateLimiter {

  /** The one bucket of a webhook, whose channel is fixed on Slack's side. */
  static final String WEBHOOK = "(webhook)";

  private final int burst;
  private final Map<String, double[]> buckets = new HashMap<>(); // {tokens, lastRefillNanos}

  RateLimiter(int burst) {
    this.burst = burst;
  }

  /** How long to wait before the next message to {@code channel} may go; takes its token. */
  long acquireNanos(String channel, long nowNanos) {
    double[] b = buckets.computeIfAbsent(channel, c -> new double[] {burst, nowNanos});
    b[0] = Math.min(burst, b[0] + (nowNanos - b[1]) / 1e9);
    b[1] = nowNanos;
    if (b[0] >= 1) {
      b[0] -= 1;
      return 0;
    }
    long wait = (long) ((1 - b[0]) * 1e9);
    b[0] = 0;
    b[1] = nowNanos + wait;
    return wait;
  }
}
