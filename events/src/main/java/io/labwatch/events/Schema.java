package io.labwatch.events;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Schema versioning and the checks every event runs on construction.
 *
 * <p>Every event carries {@code v}, its schema's major version. Additive changes (a new optional
 * field) keep {@code v}: readers ignore fields they do not know. A change that old readers would
 * misread (a removed or re-typed field, a new meaning) raises {@code v}, and a reader rejects a
 * {@code v} it does not know instead of guessing.
 */
public final class Schema {

  /** The major version this labwatch writes and reads. */
  public static final int V1 = 1;

  private Schema() {}

  static void checkVersion(int v, String type) {
    if (v == 0) {
      throw new IllegalArgumentException(type + ": schema version 'v' is missing");
    }
    if (v != V1) {
      throw new IllegalArgumentException(
          type
              + ": schema version v="
              + v
              + " is not supported (this labwatch reads v="
              + V1
              + "; a newer labwatch wrote it?)");
    }
  }

  static <T> T required(T value, String type, String field) {
    if (value == null) {
      throw new IllegalArgumentException(type + ": '" + field + "' is required");
    }
    return value;
  }

  static String requiredText(String value, String type, String field) {
    if (required(value, type, field).isBlank()) {
      throw new IllegalArgumentException(type + ": '" + field + "' must not be blank");
    }
    return value;
  }

  static long nonNegative(long value, String type, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(type + ": '" + field + "' must be >= 0, got " + value);
    }
    return value;
  }

  static <T> List<T> list(Collection<T> values) {
    return values == null ? List.of() : List.copyOf(values);
  }

  /** A sorted, immutable copy, so that equal maps serialise to equal bytes. */
  static Map<String, String> sortedMap(Map<String, String> values) {
    return values == null
        ? Collections.emptySortedMap()
        : Collections.unmodifiableSortedMap(new TreeMap<>(values));
  }
}
