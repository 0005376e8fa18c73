package io.labwatch.sinks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The parts of a labwatch process and whether each is working: what {@code /-/healthy} and the
 * {@code labwatch_part_up} metric say. A part reports its problem in words, or null when it is
 * fine.
 */
public final class Health {

  private final Map<String, Supplier<String>> parts = new LinkedHashMap<>();

  /**
   * Adds a part; {@code problem} returns null while it works, else one line saying what is wrong.
   */
  public synchronized Health register(String part, Supplier<String> problem) {
    parts.put(part, problem);
    return this;
  }

  public synchronized void unregister(String part) {
    parts.remove(part);
  }

  /** Each part and its problem (null: working), in the order they were registered. */
  public synchronized Map<String, String> check() {
    Map<String, String> out = new LinkedHashMap<>();
    parts.forEach(
        (part, problem) -> {
          String p;
          try {
            p = problem.get();
          } catch (RuntimeException e) {
            p = "cannot tell: " + e;
          }
          out.put(part, p);
        });
    return out;
  }

  public boolean healthy() {
    return check().values().stream().allMatch(p -> p == null);
  }
}
