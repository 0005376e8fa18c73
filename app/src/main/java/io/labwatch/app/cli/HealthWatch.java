package io.labwatch.app.cli;

import io.labwatch.sinks.Health;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Says on the console, in one line, when a part of {@code labwatch run} fails and when it works
 * again; the other parts keep running. The same state is on /-/healthy and in labwatch_part_up.
 */
final class HealthWatch implements AutoCloseable {

  private final Health health;
  private final PrintWriter err;
  private final Map<String, String> last = new HashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "labwatch-health");
            t.setDaemon(true);
            return t;
          });

  private HealthWatch(Health health, PrintWriter err) {
    this.health = health;
    this.err = err;
  }

  static HealthWatch start(Health health, PrintWriter err, long everyMillis) {
    HealthWatch w = new HealthWatch(health, err);
    w.timer.scheduleWithFixedDelay(w::check, 0, everyMillis, TimeUnit.MILLISECONDS);
    return w;
  }

  synchronized void check() {
    health
        .check()
        .forEach(
            (part, problem) -> {
              String before = last.get(part);
              if (!Objects.equals(before, problem)) {
                if (problem != null) {
                  err.printf(
                      "labwatch: %s: %s — the other parts keep running (see /-/healthy)%n",
                      part, problem);
                } else if (before != null) {
                  err.printf("labwatch: %s works again%n", part);
                }
                err.flush();
              }
              if (problem == null) {
                last.remove(part);
              } else {
                last.put(part, problem);
              }
            });
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
