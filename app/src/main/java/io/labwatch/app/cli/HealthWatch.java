package io.labwatch.app.cli;

import io.labwatch.sinks.Health;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Says on the console, in one line, when a part of {@code labwatch run} fails and when it works
 * again (and after how long); a problem that only changes its numbers is not said again. The other
 * parts keep running. The same state is on /-/healthy and in labwatch_part_up.
 */
final class HealthWatch implements AutoCloseable {

  private final Health health;
  private final PrintWriter err;
  private final Map<String, Failing> last = new HashMap<>();
  private final LongSupplier clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "labwatch-health");
            t.setDaemon(true);
            return t;
          });

  /** A failing part: its problem without numbers, and since when (nanos) it fails. */
  private record Failing(String gist, long since) {}

  HealthWatch(Health health, PrintWriter err, LongSupplier clock) {
    this.health = health;
    this.err = err;
    this.clock = clock;
  }

  static HealthWatch start(Health health, PrintWriter err, long everyMillis) {
    HealthWatch w = new HealthWatch(health, err, System::nanoTime);
    w.timer.scheduleWithFixedDelay(w::check, 0, everyMillis, TimeUnit.MILLISECONDS);
    return w;
  }

  synchronized void check() {
    health
        .check()
        .forEach(
            (part, problem) -> {
              Failing before = last.get(part);
              if (problem != null) {
                // a problem that only counts on ("no message for 62 s", "for 64 s") is not news
                if (before == null || !before.gist().equals(gist(problem))) {
                  err.printf(
                      "labwatch: %s: %s — the other parts keep running (see /-/healthy)%n",
                      part, problem);
                  err.flush();
                  last.put(
                      part,
                      new Failing(
                          gist(problem), before == null ? clock.getAsLong() : before.since()));
                }
              } else if (before != null) {
                long seconds = TimeUnit.NANOSECONDS.toSeconds(clock.getAsLong() - before.since());
                err.printf("labwatch: %s works again (after %d s)%n", part, seconds);
                err.flush();
                last.remove(part);
              }
            });
  }

  /** A problem's words without its numbers. */
  static String gist(String problem) {
    return problem.replaceAll("\\d+", "#");
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
