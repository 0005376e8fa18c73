package io.labwatch.app.detect;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * What to do when the detection's stream thread dies: replace it, always, so that an error the
 * client cannot recover from by itself — a transaction the broker aborted while it was away ({@code
 * InvalidTxnStateException} after a broker restart), a fenced producer — costs a new thread and a
 * new producer, never the process. Exactly-once makes that safe: the new thread resumes from the
 * last committed offsets and state.
 *
 * <p>A thread that dies again soon after it was replaced (a bug, a state directory that cannot be
 * written) is not replaced in a tight loop: each quick death doubles a pause before the next
 * replacement, from {@link #FIRST_PAUSE} up to {@link #MAX_PAUSE}; a thread that ran longer than
 * {@link #QUICK} starts over. Giving up after a count of deaths was tried first, and a broker
 * restarted 18 times in four minutes used it up and ended the detection (BrokerKillIT).
 */
final class ThreadRecovery {

  /** A thread that dies this soon after it was replaced is taken for one that cannot run. */
  static final Duration QUICK = Duration.ofSeconds(10);

  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  static final Duration MAX_PAUSE = Duration.ofMinutes(1);
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final LongSupplier nanoTime;
  private final Deque<Long> deaths = new ArrayDeque<>();
  private long lastDeath = Long.MIN_VALUE;
  private Duration pause = Duration.ZERO;
  private int quickInARow;

  ThreadRecovery(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  static ThreadRecovery standard() {
    return new ThreadRecovery(System::nanoTime);
  }

  /** One dead thread: how long to wait before it is replaced. */
  synchronized Duration onThreadDeath() {
    long now = nanoTime.getAsLong();
    // (since its replacement: the last death plus the pause before it was replaced)
    boolean quick =
        lastDeath != Long.MIN_VALUE && now - lastDeath - pause.toNanos() < QUICK.toNanos();
    lastDeath = now;
    deaths.addLast(now);
    while (now - deaths.peekFirst() > WINDOW.toNanos()) {
      deaths.removeFirst();
    }
    if (quick) {
      quickInARow++;
      pause = pause.isZero() ? FIRST_PAUSE : min(pause.multipliedBy(2), MAX_PAUSE);
    } else {
      quickInARow = 0;
      pause = Duration.ZERO;
    }
    return pause;
  }

  /** Deaths within the last {@link #WINDOW}, this one included. */
  synchronized int recent() {
    return deaths.size();
  }

  /** True while the thread keeps dying soon after each replacement (3 times or more in a row). */
  synchronized boolean looping() {
    return quickInARow >= 3
        && nanoTime.getAsLong() - lastDeath < QUICK.toNanos() + MAX_PAUSE.toNanos();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
