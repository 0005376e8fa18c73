package io.labwatch.events;

/** Where an incident stands: it fires once, may update, and resolves once. */
public enum AlertState {
  FIRING,
  RESOLVED
}
