package io.labwatch.app.cli;

import io.labwatch.app.config.Durations;
import io.labwatch.app.config.Similar;
import io.labwatch.events.AlertKinds;
import io.labwatch.events.Segments;
import java.time.Duration;
import java.util.Locale;

/**
 * What {@code labwatch silence add} is asked to match, checked before anything is written: a kind
 * must be one labwatch raises (a typo would silence nothing, and say nothing of it), and at least
 * one of kind and subject is given (a silence of everything is not one).
 *
 * @param kind the alert kind, upper case; null: any
 * @param subject the alert subject, an IP address in its canonical text; null: any
 */
record SilenceMatch(String kind, String subject) {

  static final String FORMS =
      "KIND:SUBJECT (e.g. IP_CONFLICT:10.77.0.10), --kind KIND or --subject SUBJECT";

  /**
   * Reads {@code KIND:SUBJECT} ({@code *} for any), or {@code --kind} and {@code --subject}.
   *
   * @throws UsageException in one line, naming what is wrong
   */
  static SilenceMatch parse(String matcher, String kindOption, String subjectOption) {
    String kind = kindOption;
    String subject = subjectOption;
    if (matcher != null) {
      if (kindOption != null || subjectOption != null) {
        throw new UsageException(
            "give KIND:SUBJECT, or --kind and --subject, not both (labwatch silence add --help)");
      }
      int colon = matcher.indexOf(':');
      if (colon < 0) {
        throw new UsageException(
            "'"
                + matcher
                + "' is not KIND:SUBJECT (e.g. IP_CONFLICT:10.77.0.10; --kind "
                + matcher
                + " alone matches any subject)");
      }
      kind = matcher.substring(0, colon);
      subject = matcher.substring(colon + 1);
    }
    kind = any(kind) ? null : knownKind(kind.strip());
    subject = any(subject) ? null : canonical(subject.strip());
    if (kind == null && subject == null) {
      throw new UsageException("a silence needs something to match: " + FORMS);
    }
    return new SilenceMatch(kind, subject);
  }

  /** {@code --for}: a duration as elsewhere on the command line ({@code 2h}, {@code 1h30m}). */
  static Duration duration(String text) {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--for: " + e.getMessage());
    }
    if (d.isZero() || d.isNegative()) {
      throw new UsageException("--for: a silence must last longer than 0, got '" + text + "'");
    }
    return d;
  }

  private static boolean any(String s) {
    return s == null || s.isBlank() || s.strip().equals("*");
  }

  private static String knownKind(String text) {
    String kind = text.toUpperCase(Locale.ROOT);
    if (AlertKinds.names().contains(kind)) {
      return kind;
    }
    String guess = Similar.closest(kind, AlertKinds.names(), 3);
    throw new UsageException(
        "'"
            + text
            + "' is not an alert kind of labwatch"
            + (guess == null ? "" : " (did you mean " + guess + "?)")
            + "; the kinds: "
            + String.join(", ", AlertKinds.names()));
  }

  /**
   * An address as the alerts have it (fd00:77:0:0::10 → fd00:77::10; 10.77.0.10%VLAN20 →
   * 10.77.0.10%vlan20); anything else as given.
   */
  private static String canonical(String subject) {
    try {
      return Segments.canonical(subject);
    } catch (IllegalArgumentException notAnAddress) {
      return subject;
    }
  }

  /** As {@code labwatch silence list} shows it: {@code IP_CONFLICT:10.77.0.10}, {@code *:x}. */
  @Override
  public String toString() {
    return (kind == null ? "*" : kind) + ":" + (subject == null ? "*" : subject);
  }
}
