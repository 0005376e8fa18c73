package io.labwatch.events;

/** How urgently a person should look, highest first. */
public enum Severity {
  CRITICAL,
  WARNING,
  INFO;

  /** True when this is at least as severe as {@code other}. */
  public boolean atLeast(Severity other) {
    return compareTo(other) <= 0;
  }
}
