package io.labwatch.producers.host;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one part of a sample at a time: a part that cannot be read (a /proc file missing in a
 * container, OSHI throwing, a value out of range) is left out of the sample, and said in one log
 * line the first time only, so that a box without swap or GPUs does not repeat it every 10 s.
 */
final class Skips {

  private static final Logger log = LoggerFactory.getLogger(Skips.class);

  private final Set<String> said = ConcurrentHashMap.newKeySet();

  /**
   * The part, or null when it cannot be read (said once per part) or has no value this time (the
   * reader returned null: said by no one).
   */
  <T> T read(String part, Supplier<T> reader) {
    try {
      return reader.get();
    } catch (Unavailable e) {
      skip(part, e.getMessage());
      return null;
    } catch (RuntimeException | LinkageError e) {
      // LinkageError: OSHI's native calls (JNA) on a platform it cannot bind
      skip(part, oneLine(e));
      return null;
    }
  }

  /** Says once that {@code part} is left out, and why. */
  void skip(String part, String why) {
    if (said.add(part)) {
      log.info("host metrics: {} left out ({}); said once", part, why);
    }
  }

  /** The parts left out so far. */
  Set<String> parts() {
    return Set.copyOf(said);
  }

  /** A part this host does not have, with why in a few words. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String why) {
      super(why, null, false, false);
    }
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }
}
