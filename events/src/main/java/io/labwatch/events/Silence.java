package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A silence: for a while, the incidents it matches are not announced (Slack stays quiet), though
 * they still fire and still show (Prometheus, {@code labwatch status}). What Alertmanager users
 * know as a silence, with the two matchers an alert of labwatch has: its kind and its subject.
 *
 * <p>Kept on the compacted {@code silences} topic, key: {@link #id()}. Ending one early rewrites it
 * with {@code endsAt} set to that moment rather than deleting it, so that what was silenced, by
 * whom and why stays readable afterwards ({@code labwatch silence list --all}).
 *
 * @param v schema major version
 * @param id short random id, the topic's key
 * @param kind the alert kind it matches ({@code IP_CONFLICT}); null: any kind
 * @param subject the alert subject it matches ({@code 10.77.0.10}); null: any subject
 * @param startsAt from when it holds
 * @param endsAt until when it holds (exclusive)
 * @param reason why, as its author wrote it
 * @param createdBy who made it, {@code user@host}
 */
public record Silence(
    int v,
    String id,
    String kind,
    String subject,
    Instant startsAt,
    Instant endsAt,
    String reason,
    String createdBy) {

  private static final String TYPE = "Silence";
  private static final Pattern KIND = Pattern.compile("[A-Z][A-Z0-9_]*");

  public Silence {
    Schema.checkVersion(v, TYPE);
    Schema.requiredText(id, TYPE, "id");
    if (kind == null && subject == null) {
      throw new IllegalArgumentException(
          TYPE + ": needs a 'kind' or a 'subject' to match (a silence of everything is not one)");
    }
    if (kind != null && !KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException(
          TYPE + ": 'kind' must be UPPER_SNAKE_CASE, got '" + kind + "'");
    }
    if (subject != null) {
      Schema.requiredText(subject, TYPE, "subject");
    }
    Schema.required(startsAt, TYPE, "startsAt");
    Schema.required(endsAt, TYPE, "endsAt");
    if (endsAt.isBefore(startsAt)) {
      throw new IllegalArgumentException(
          TYPE + ": 'endsAt' " + endsAt + " is before 'startsAt' " + startsAt);
    }
    Schema.requiredText(reason, TYPE, "reason");
    Schema.requiredText(createdBy, TYPE, "createdBy");
  }

  public Silence(
      String id,
      String kind,
      String subject,
      Instant startsAt,
      Instant endsAt,
      String reason,
      String createdBy) {
    this(Schema.V1, id, kind, subject, startsAt, endsAt, reason, createdBy);
  }

  /** Whether it holds at {@code t}: from {@code startsAt} up to, not including, {@code endsAt}. */
  public boolean activeAt(Instant t) {
    return !t.isBefore(startsAt) && t.isBefore(endsAt);
  }

  /** Whether an alert of this kind and subject is one it silences (when active). */
  public boolean matches(String alertKind, String alertSubject) {
    return (kind == null || kind.equals(alertKind))
        && (subject == null || subject.equals(alertSubject));
  }

  /**
   * The same silence ended at {@code t} (or at its start, if {@code t} is before it); unchanged if
   * it had ended already.
   */
  public Silence endedAt(Instant t) {
    if (!t.isBefore(endsAt)) {
      return this;
    }
    Instant end = t.isBefore(startsAt) ? startsAt : t;
    return new Silence(v, id, kind, subject, startsAt, end, reason, createdBy);
  }

  /** Its matchers as one would type them: {@code IP_CONFLICT:10.77.0.10}, {@code *:10.77.0.10}. */
  @JsonIgnore
  public String matcher() {
    return (kind == null ? "*" : kind) + ":" + (subject == null ? "*" : subject);
  }

  /**
   * Of {@code silences}, the one that silences an alert of this kind and subject at {@code now}; of
   * several, the one that holds longest (the one that says until when it stays quiet).
   */
  public static Optional<Silence> silencing(
      Collection<Silence> silences, String kind, String subject, Instant now) {
    return silences.stream()
        .filter(s -> s.activeAt(now) && s.matches(kind, subject))
        .max(Comparator.comparing(Silence::endsAt).thenComparing(Silence::id));
  }
}
