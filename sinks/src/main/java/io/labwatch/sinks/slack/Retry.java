package io.labwatch.sinks.slack;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls Slack until it answers for good. Each call first waits its turn in the channel's {@link
 * RateLimiter}; a rate limit (429) waits the Retry-After; any other failure for now (5xx, timeout,
 * lost connection) is tried again after an exponential backoff — {@link #FIRST_BACKOFF} doubling up
 * to {@link #MAX_BACKOFF} — plus a random jitter of up to half of it, for as long as it takes.
 */
final class Retry {

  private static final Logger log = LoggerFactory.getLogger(Retry.class);

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  /** Waits are slept in slices this long, so that a stop is noticed within one. */
  static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** Sleeps for a while; the production one is {@link TimeUnit#sleep}. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  /** Thrown from a call when the sink stops while waiting: the request did not go through. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  /** Why Slack has not answered for good (its last failure), and for how long. */
  record Trouble(String reason, Duration lasting) {}

  private record Since(String reason, long nanos) {}

  private final RateLimiter limiter;
  private final BooleanSupplier stopping;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final LongUnaryOperator jitter;
  private final AtomicLong retries = new AtomicLong();
  private volatile Since trouble;

  /**
   * @param stopping true once waits should end: the next or current wait throws {@link Stopped}
   */
  Retry(RateLimiter limiter, BooleanSupplier stopping) {
    this(
        limiter,
        stopping,
        System::nanoTime,
        TimeUnit.NANOSECONDS::sleep,
        bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /**
   * @param jitter given a bound, a random number of milliseconds from 0 up to (excluding) it
   */
  Retry(
      RateLimiter limiter,
      BooleanSupplier stopping,
      LongSupplier nanoTime,
      Sleeper sleeper,
      LongUnaryOperator jitter) {
    this.limiter = limiter;
    this.stopping = stopping;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.jitter = jitter;
  }

  /** Calls tried again so far. */
  long retries() {
    return retries.get();
  }

  /** Null while Slack answers; else its last failure and how long since it last answered. */
  Trouble trouble() {
    Since t = trouble;
    return t == null
        ? null
        : new Trouble(t.reason(), Duration.ofNanos(nanoTime.getAsLong() - t.nanos()));
  }

  /**
   * Sends {@code request} to {@code channel} until Slack accepts or refuses it for good.
   *
   * @throws Stopped when stopping while it waits
   */
  Delivery call(String channel, Supplier<Delivery> request) {
    Duration backoff = FIRST_BACKOFF;
    boolean complained = false;
    while (true) {
      pause(limiter.acquireNanos(channel, nanoTime.getAsLong()));
      Delivery d = request.get();
      if (d instanceof Delivery.Ok || d instanceof Delivery.Permanent) {
        if (complained) {
          log.info("Slack accepts messages again");
        }
        trouble = null;
        return d;
      }
      String reason = d instanceof Delivery.Transient t ? t.reason() : "rate limited";
      Since before = trouble;
      trouble = new Since(reason, before == null ? nanoTime.getAsLong() : before.nanos());
      retries.incrementAndGet();
      Duration wait;
      if (d instanceof Delivery.RetryAfter r) {
        wait = r.after();
      } else {
        wait = backoff.plusMillis(jitter.applyAsLong(backoff.toMillis() / 2 + 1));
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
      if (!complained) {
        log.warn(
            "Slack did not take a message ({}); retrying{} until it does, alerts wait in Kafka",
            reason,
            d instanceof Delivery.RetryAfter
                ? " after " + wait.toSeconds() + " s"
                : " with backoff");
        complained = true;
      }
      pause(wait.toNanos());
    }
  }

  private void pause(long nanos) {
    long end = nanoTime.getAsLong() + nanos;
    while (!stopping.getAsBoolean()) {
      long left = end - nanoTime.getAsLong();
      if (left <= 0) {
        return;
      }
      try {
        sleeper.sleep(Math.min(left, SLICE_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stopped();
      }
    }
    throw new Stopped();
  }
}
