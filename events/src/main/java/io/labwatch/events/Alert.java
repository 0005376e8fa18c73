package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An incident's state, as the detection emits it to {@code labwatch.alerts} (key: {@link
 * #fingerprint()}; the topic is compacted, so its latest record per fingerprint is the incident's
 * current state).
 *
 * <p>An incident fires once, is updated when its evidence changes materially, and resolves once;
 * all three carry the same {@link #incidentId()}. An <em>event</em> — something that happened at
 * one instant, such as a MAC change — is one record, RESOLVED, with {@code startedAt == endedAt}
 * ({@link #isEvent()}): it is told, but never left firing.
 *
 * @param v schema major version
 * @param fingerprint {@code KIND:subject}, stable across incidents of the same thing
 * @param incidentId fingerprint and start time: one id per incident
 * @param kind what was detected, e.g. {@code IP_CONFLICT}
 * @param subject what it is about, e.g. the IP address
 * @param severity how urgent
 * @param state firing or resolved
 * @param summary one sentence a person can act on
 * @param evidence the facts behind it
 * @param labels where it was seen: sensor, host, device
 * @param startedAt when the condition began (event time)
 * @param updatedAt when this state was emitted (event time)
 * @param endedAt when the condition ended; set exactly when resolved
 */
public record Alert(
    int v,
    String fingerprint,
    String incidentId,
    String kind,
    String subject,
    Severity severity,
    AlertState state,
    String summary,
    Evidence evidence,
    Map<String, String> labels,
    Instant startedAt,
    Instant updatedAt,
    Instant endedAt) {

  private static final String TYPE = "Alert";
  private static final Pattern KIND = Pattern.compile("[A-Z][A-Z0-9_]*");

  public Alert {
    Schema.checkVersion(v, TYPE);
    Schema.requiredText(kind, TYPE, "kind");
    if (!KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException(
          TYPE + ": 'kind' must be UPPER_SNAKE_CASE, got '" + kind + "'");
    }
    Schema.requiredText(subject, TYPE, "subject");
    Schema.requiredText(fingerprint, TYPE, "fingerprint");
    if (!fingerprint.equals(fingerprintOf(kind, subject))) {
      throw new IllegalArgumentException(
          TYPE
              + ": 'fingerprint' must be kind:subject ("
              + fingerprintOf(kind, subject)
              + "), got '"
              + fingerprint
              + "'");
    }
    Schema.requiredText(incidentId, TYPE, "incidentId");
    Schema.required(severity, TYPE, "severity");
    Schema.required(state, TYPE, "state");
    Schema.requiredText(summary, TYPE, "summary");
    evidence = evidence == null ? Evidence.NONE : evidence;
    labels = Schema.sortedMap(labels);
    Schema.required(startedAt, TYPE, "startedAt");
    Schema.required(updatedAt, TYPE, "updatedAt");
    if (state == AlertState.RESOLVED) {
      Schema.required(endedAt, TYPE, "endedAt");
    } else if (endedAt != null) {
      throw new IllegalArgumentException(TYPE + ": a FIRING alert has no 'endedAt'");
    }
  }

  public static String fingerprintOf(String kind, String subject) {
    return kind + ":" + subject;
  }

  public static String incidentIdOf(String fingerprint, Instant startedAt) {
    return fingerprint + "@" + startedAt;
  }

  /** A new incident, firing from {@code startedAt}. */
  public static Alert firing(
      String kind,
      String subject,
      Severity severity,
      String summary,
      Evidence evidence,
      Map<String, String> labels,
      Instant startedAt) {
    String fingerprint = fingerprintOf(kind, subject);
    return new Alert(
        Schema.V1,
        fingerprint,
        incidentIdOf(fingerprint, startedAt),
        kind,
        subject,
        severity,
        AlertState.FIRING,
        summary,
        evidence,
        labels,
        startedAt,
        startedAt,
        null);
  }

  /** Something that happened at one instant: one record, already resolved. */
  public static Alert event(
      String kind,
      String subject,
      Severity severity,
      String summary,
      Evidence evidence,
      Map<String, String> labels,
      Instant at) {
    String fingerprint = fingerprintOf(kind, subject);
    return new Alert(
        Schema.V1,
        fingerprint,
        incidentIdOf(fingerprint, at),
        kind,
        subject,
        severity,
        AlertState.RESOLVED,
        summary,
        evidence,
        labels,
        at,
        at,
        at);
  }

  /** An instantaneous event rather than an incident with a duration. */
  @JsonIgnore
  public boolean isEvent() {
    return state == AlertState.RESOLVED && startedAt.equals(endedAt);
  }

  /** The same incident, still firing, with new evidence. */
  public Alert updated(String newSummary, Evidence newEvidence, Instant at) {
    return new Alert(
        v,
        fingerprint,
        incidentId,
        kind,
        subject,
        severity,
        state,
        newSummary,
        newEvidence,
        labels,
        startedAt,
        at,
        null);
  }

  /** The same incident, over. */
  public Alert resolved(String newSummary, Instant at) {
    return new Alert(
        v,
        fingerprint,
        incidentId,
        kind,
        subject,
        severity,
        AlertState.RESOLVED,
        newSummary,
        evidence,
        labels,
        startedAt,
        at,
        at);
  }

  /** How long it lasted, for a resolved incident; how long so far, for a firing one. */
  @JsonIgnore
  public Duration duration() {
    return Duration.between(startedAt, endedAt != null ? endedAt : updatedAt);
  }
}
