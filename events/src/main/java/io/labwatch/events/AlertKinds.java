package io.labwatch.events;

import java.util.List;

/**
 * The kinds of {@link Alert} the detection raises: each with the severities it can carry, and
 * whether it is an incident (FIRING, updates, RESOLVED) or an event (one RESOLVED record, {@link
 * Alert#isEvent()}). The rule families define the kinds (e.g. {@code BindingRules.IP_CONFLICT});
 * {@code AlertKindsTest} in {@code streams} holds this list to them. README, "What labwatch
 * detects", says when each fires.
 */
public final class AlertKinds {

  /**
   * One kind of alert.
   *
   * @param name the alert's {@link Alert#kind()}
   * @param severities the severities its records can carry
   * @param event one RESOLVED record per occurrence, never firing
   */
  public record Kind(String name, List<Severity> severities, boolean event) {

    public Kind {
      severities = List.copyOf(severities);
    }

    /** The states its records can have. */
    public List<AlertState> states() {
      return event ? List.of(AlertState.RESOLVED) : List.of(AlertState.FIRING, AlertState.RESOLVED);
    }
  }

  public static final List<Kind> ALL =
      List.of(
          incident("IP_CONFLICT", Severity.CRITICAL),
          event("MAC_CHANGED", Severity.WARNING),
          incident("ARP_POISONING", Severity.CRITICAL),
          incident("ADDRESS_SPOOF", Severity.CRITICAL),
          event("PROBE_FOR_ADDRESS_IN_USE", Severity.WARNING),
          event("NEW_STATION", Severity.INFO),
          event("ETHER_MISMATCH", Severity.INFO),
          incident("SENSOR_SILENT", Severity.WARNING),
          incident("SERVICE_UNREACHABLE", Severity.WARNING, Severity.CRITICAL),
          incident("LOAD_SPIKE", Severity.WARNING, Severity.CRITICAL),
          incident("INTERFACE_ERRORS", Severity.WARNING, Severity.CRITICAL),
          incident("LINK_DOWN", Severity.WARNING),
          incident("LINK_FLAPPING", Severity.WARNING));

  /**
   * The kinds' names, sorted: for whoever must tell a real kind from a typo (a silence for {@code
   * IP_CONFLCT} would silence nothing, and say nothing of it).
   */
  public static List<String> names() {
    return ALL.stream().map(Kind::name).sorted().toList();
  }

  private AlertKinds() {}

  private static Kind incident(String name, Severity... severities) {
    return new Kind(name, List.of(severities), false);
  }

  private static Kind event(String name, Severity severity) {
    return new Kind(name, List.of(severity), true);
  }
}
