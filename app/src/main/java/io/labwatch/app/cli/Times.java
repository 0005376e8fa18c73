package io.labwatch.app.cli;

import io.labwatch.app.config.Durations;
import io.labwatch.events.LabwatchException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Points in time as a person types them on a command line. */
final class Times {

  static final String FORMS =
      "a time (2026-11-25T14:00Z, 2026-11-25T15:00+01:00), a day (2026-11-25, from its UTC"
          + " midnight), a duration ago (10m, 2h, 7d) or now";

  private Times() {}

  /** A {@code --from}/{@code --to} range of a command, as instants. */
  record Range(Instant from, Instant to) {}

  /**
   * The range {@code from} to {@code to} (null: now), both read as {@link #parse} reads them, now
   * being the current second.
   *
   * @throws LabwatchException when either does not parse or the range is empty
   */
  static Range range(String from, String to) {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant start = parse("--from", from, now);
    Instant end = to == null ? now : parse("--to", to, now);
    if (!end.isAfter(start)) {
      throw new LabwatchException(
          "the range is empty: --to " + end + " is not after --from " + start);
    }
    return new Range(start, end);
  }

  /**
   * {@code text} as an instant: an ISO time with a zone or offset, a UTC day, a duration before
   * {@code now}, or {@code now}.
   *
   * @throws LabwatchException naming {@code option} and the forms it takes
   */
  static Instant parse(String option, String text, Instant now) {
    String t = text.strip();
    if (t.equalsIgnoreCase("now")) {
      return now;
    }
    try {
      return now.minus(Durations.parse(t));
    } catch (IllegalArgumentException notADuration) {
      // a time, then
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException notAnOffsetTime) {
      // with a Z and seconds, or a day
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException notAnInstant) {
      // a day?
    }
    try {
      return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new LabwatchException(option + " '" + text + "' is not " + FORMS);
    }
  }
}
