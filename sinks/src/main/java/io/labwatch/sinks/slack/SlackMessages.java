package io.labwatch.sinks.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Evidence;
import io.labwatch.events.Json;
import io.labwatch.events.Severity;
import io.labwatch.events.Silence;
import io.labwatch.sinks.AlertText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Alerts as Slack messages: Block Kit with a plain-text fallback for notifications, within Slack's
 * limits (3,000 characters per section text, 2,000 per field, 10 fields per section, 50 blocks,
 * 40,000 characters of text). What does not fit is cut with a note, never rejected.
 */
public final class SlackMessages {

  static final int SECTION_TEXT = 3000;
  static final int FIELD_TEXT = 2000;
  static final int FIELDS_PER_SECTION = 10;
  static final int MAX_BLOCKS = 50;
  static final int MAX_TEXT = 40_000;
  static final int HEADER_TEXT = 150;

  private static final ObjectMapper JSON = Json.mapper();

  private SlackMessages() {}

  /** The payload for one alert: {@code text} and {@code blocks}. */
  public static ObjectNode message(Alert a) {
    return message(a, null);
  }

  /** ... with a link to the incident's report ({@code report}, null for none). */
  public static ObjectNode message(Alert a, String report) {
    return message(a, report, AlertText.stage(a), null);
  }

  /**
   * An incident announced again because the silence over it ended while it still fires: told as
   * firing, whatever its last record was, with a first line saying why it comes back.
   */
  public static ObjectNode silenceEnded(Alert a, String report, Silence ended) {
    String note =
        ":bell: The silence `"
            + escape(ended.id())
            + "` ("
            + escape(ended.matcher())
            + ", _"
            + escape(ended.reason())
            + "_, by "
            + escape(ended.createdBy())
            + ") ended at "
            + AlertText.time(ended.endsAt())
            + "; this incident still fires.";
    ObjectNode msg = message(a, report, "firing", cut(note, SECTION_TEXT));
    msg.put(
        "text",
        cut(
            fallback(a, "firing") + " (still firing: the silence " + ended.id() + " over it ended)",
            MAX_TEXT));
    return msg;
  }

  private static ObjectNode message(Alert a, String report, String stage, String note) {
    ObjectNode msg = JSON.createObjectNode();
    msg.put("text", cut(fallback(a, stage), MAX_TEXT));
    ArrayNode blocks = msg.putArray("blocks");
    blocks.add(
        header(
            marker(a)
                + " "
                + a.kind()
                + (stage.isEmpty() ? "" : " " + stage.toUpperCase(Locale.ROOT))
                + " — "
                + a.subject()));
    if (note != null) {
      blocks.add(section(note));
    }
    blocks.add(section(summary(a)));
    List<String> fields = fields(a);
    for (int i = 0; i < fields.size() && blocks.size() < MAX_BLOCKS - 2; i += FIELDS_PER_SECTION) {
      ObjectNode s = blocks.addObject();
      s.put("type", "section");
      ArrayNode f = s.putArray("fields");
      for (String field : fields.subList(i, Math.min(fields.size(), i + FIELDS_PER_SECTION))) {
        f.add(mrkdwn(cut(field, FIELD_TEXT)));
      }
    }
    int noteBlocks = note == null ? 0 : 1;
    int shown = Math.min(fields.size(), (MAX_BLOCKS - 3 - noteBlocks) * FIELDS_PER_SECTION);
    if (shown < fields.size()) {
      blocks.add(
          section(
              "_… "
                  + (fields.size() - shown)
                  + " more facts not shown (Slack's limit); `labwatch tail alerts` has them all_"));
    }
    blocks.add(context(a, report));
    return msg;
  }

  /** One message for many alerts, when a storm would otherwise flood the channel. */
  public static ObjectNode digest(List<Alert> alerts) {
    ObjectNode msg = JSON.createObjectNode();
    StringBuilder text = new StringBuilder(alerts.size() + " labwatch alerts at once:");
    ArrayNode blocks = msg.putArray("blocks");
    blocks.add(header(":rotating_light: " + alerts.size() + " alerts at once — a digest"));
    blocks.add(
        section(
            "So many alerts were waiting that labwatch sends them as one message instead of "
                + alerts.size()
                + "."));
    int room = MAX_BLOCKS - 4; // header, intro, "and more", context
    int listed = 0;
    for (Alert a : alerts) {
      String line =
          marker(a) + " *" + a.kind() + "* " + AlertText.stage(a) + " — " + escape(a.summary());
      text.append('\n').append(AlertText.line(a));
      if (listed < room) {
        blocks.add(section(cut(line, SECTION_TEXT)));
        listed++;
      }
    }
    if (listed < alerts.size()) {
      blocks.add(
          section(
              "_… and "
                  + (alerts.size() - listed)
                  + " more; `labwatch tail alerts --since 1h` lists them all_"));
    }
    ObjectNode ctx = blocks.addObject();
    ctx.put("type", "context");
    ctx.putArray("elements")
        .add(mrkdwn("labwatch digest · `labwatch tail alerts --since 1h` for the records"));
    msg.put("text", cut(text.toString(), MAX_TEXT));
    return msg;
  }

  static String fallback(Alert a) {
    return fallback(a, AlertText.stage(a));
  }

  private static String fallback(Alert a, String stage) {
    return severityWord(a)
        + " "
        + a.kind()
        + (stage.isEmpty() ? "" : " " + stage)
        + ": "
        + a.summary();
  }

  private static String summary(Alert a) {
    StringBuilder s = new StringBuilder(escape(a.summary()));
    if (a.state() == AlertState.RESOLVED && !a.isEvent()) {
      s.append("\n*Resolved* after ").append(AlertText.duration(a.duration())).append('.');
    }
    return cut(s.toString(), SECTION_TEXT);
  }

  private static List<String> fields(Alert a) {
    List<String> out = new ArrayList<>();
    out.add("*Subject*\n" + escape(a.subject()));
    out.add("*Since*\n" + AlertText.time(a.startedAt()));
    for (Evidence.MacEvidence m : a.evidence().macs()) {
      out.add(
          "*"
              + m.mac()
              + "*"
              + (m.vendor() == null ? "" : " (" + escape(m.vendor()) + ")")
              + "\n"
              + m.packets()
              + " packets, "
              + AlertText.time(m.firstSeen())
              + " → "
              + AlertText.time(m.lastSeen())
              + (m.sensors().isEmpty() ? "" : "\nseen by " + escape(String.join(", ", m.sensors())))
              + (m.classes().isEmpty()
                  ? ""
                  : "\n"
                      + String.join(
                          ", ",
                          m.classes().stream()
                              .map(c -> c.name().toLowerCase(Locale.ROOT))
                              .toList())));
    }
    if (a.evidence().flips() != null) {
      out.add("*Flips*\n" + a.evidence().flips());
    }
    for (Map.Entry<String, String> f : a.evidence().facts().entrySet()) {
      out.add("*" + escape(f.getKey()) + "*\n" + escape(f.getValue()));
    }
    a.labels().forEach((k, v) -> out.add("*" + escape(k) + "*\n" + escape(v)));
    return out;
  }

  private static ObjectNode context(Alert a, String report) {
    ObjectNode ctx = JSON.createObjectNode();
    ctx.put("type", "context");
    String story =
        report != null
            ? "<"
                + report
                + "|the incident's report> (`labwatch report "
                + escape(a.fingerprint())
                + "`)"
            : "`labwatch report " + escape(a.fingerprint()) + "` draws its timeline";
    ctx.putArray("elements")
        .add(
            mrkdwn(
                cut(
                    "incident `"
                        + escape(a.incidentId())
                        + "` · "
                        + story
                        + " · `labwatch replay` re-runs the detection over any time range",
                    SECTION_TEXT)));
    return ctx;
  }

  static String marker(Alert a) {
    if (a.state() == AlertState.RESOLVED && !a.isEvent()) {
      return ":white_check_mark:";
    }
    return switch (a.severity()) {
      case CRITICAL -> ":red_circle:";
      case WARNING -> ":large_orange_circle:";
      case INFO -> ":large_blue_circle:";
    };
  }

  private static String severityWord(Alert a) {
    return a.severity() == Severity.CRITICAL ? "CRITICAL" : a.severity().name();
  }

  private static ObjectNode header(String text) {
    ObjectNode h = JSON.createObjectNode();
    h.put("type", "header");
    ObjectNode t = h.putObject("text");
    t.put("type", "plain_text");
    t.put("text", cut(text, HEADER_TEXT));
    t.put("emoji", true);
    return h;
  }

  private static ObjectNode section(String mrkdwn) {
    ObjectNode s = JSON.createObjectNode();
    s.put("type", "section");
    s.set("text", mrkdwn(mrkdwn));
    return s;
  }

  private static ObjectNode mrkdwn(String text) {
    ObjectNode t = JSON.createObjectNode();
    t.put("type", "mrkdwn");
    t.put("text", text);
    return t;
  }

  /**
   * Slack's control characters in text: &, < and >
   * (https://api.slack.com/reference/surfaces/formatting).
   */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    String note = "… (cut at Slack's limit)";
    return s.substring(0, max - note.length()) + note;
  }
}
