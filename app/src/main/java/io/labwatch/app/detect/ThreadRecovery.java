package io.labwatch.app.detect;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * What to do when the detection's stream thread dies: replace it, so that an error the client
 * cannot recover from by itself — a transaction the broker aborted while it was away ({@code
 * InvalidTxnStateException} after a broker restart), a fenced producer — costs a new thread and a
 * new producer, not the process. Exactly-once makes that safe: the new thread resumes from the last
 * committed offsets and state. An error that keeps coming back (a bug, a state directory that
 * cannot be written) is not hidden by an endless loop of new threads: past {@code limit}
 * replacements within {@code window} the client shuts down and says why.
 */
final class ThreadRecovery {

  private final int limit;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final Deque<Long> replacements = new ArrayDeque<>();

  ThreadRecovery(int limit, Duration window, LongSupplier nanoTime) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The detection's own policy: up to 5 replacements in 10 minutes. */
  static ThreadRecovery standard() {
    return new ThreadRecovery(5, Duration.ofMinutes(10), System::nanoTime);
  }

  /** The decision for one dead thread. */
  synchronized StreamThreadExceptionResponse onThreadDeath() {
    long now = nanoTime.getAsLong();
    while (!replacements.isEmpty() && now - replacements.peekFirst() > windowNanos) {
      replacements.removeFirst();
    }
    if (replacements.size() >= limit) {
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacements.addLast(now);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** How many replacements the window holds now, the last one included. */
  synchronized int recent() {
    return replacements.size();
  }

  int limit() {
    return limit;
  }

  Duration window() {
    return Duration.ofNanos(windowNanos);
  }
}
