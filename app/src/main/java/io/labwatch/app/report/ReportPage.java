package io.labwatch.app.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.labwatch.events.Alert;
import io.labwatch.events.Json;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.PacketClass;
import io.labwatch.sinks.AlertText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An incident report as one self-contained HTML file: the text (headline, tables, commands) is
 * plain HTML, readable without scripts and printable; the timeline is drawn by Apache ECharts,
 * whose bundle is inlined with the data, so the file fetches nothing — it opens from a mail
 * attachment or a Slack upload, offline.
 */
public final class ReportPage {

  /** The ECharts bundle in its webjar (Maven: org.webjars.npm:echarts). */
  static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  private ReportPage() {}

  /** The page for {@code data}, generated at {@code now}. */
  public static String render(ReportData data, Instant now) {
    String template = resource("/io/labwatch/app/report/report.html");
    String script = resource("/io/labwatch/app/report/report.js");
    String echarts = resource(ECHARTS);
    // the values are inserted last, so that nothing in them is taken for a placeholder
    return template
        .replace("{{title}}", esc(data.title()))
        .replace("{{body}}", body(data, now))
        .replace("/*{{echarts}}*/", scriptSafe(echarts))
        .replace("/*{{report}}*/", scriptSafe(script))
        // (in the data, every "<" as its JSON escape: nothing in it can end the script element)
        .replace("{{data}}", json(chartData(data)).replace("<", "\\u003c"));
  }

  private static String body(ReportData d, Instant now) {
    StringBuilder b = new StringBuilder();
    Alert a = d.incident();
    b.append("<header>");
    if (a != null) {
      b.append("<p class=\"badges\"><span class=\"sev sev-")
          .append(esc(a.severity().name().toLowerCase(Locale.ROOT)))
          .append("\">")
          .append(esc(a.severity().name()))
          .append("</span> <span class=\"state\">")
          .append(esc(a.state().name()))
          .append("</span> <code>")
          .append(esc(a.incidentId()))
          .append("</code></p>");
      // the headline is what happened: the incident's first record, when the topic still has it
      Alert first =
          d.alerts().stream()
              .filter(r -> r.incidentId().equals(a.incidentId()))
              .filter(r -> r.updatedAt().equals(r.startedAt()))
              .findFirst()
              .orElse(a);
      b.append("<h1>").append(esc(first.summary())).append("</h1>");
      if (first != a) {
        b.append("<p class=\"latest\">")
            .append(esc(AlertText.stage(a)))
            .append(" ")
            .append(esc(AlertText.time(a.updatedAt())))
            .append(": ")
            .append(esc(a.summary()))
            .append("</p>");
      }
      Instant end = a.endedAt();
      b.append("<p class=\"when\">")
          .append("Started ")
          .append(esc(AlertText.time(a.startedAt())))
          .append(
              end != null
                  ? " · ended " + esc(AlertText.time(end))
                  : " · still firing as of " + esc(AlertText.time(a.updatedAt())))
          .append(" · lasted ")
          .append(
              esc(
                  AlertText.duration(
                      Duration.between(a.startedAt(), end != null ? end : a.updatedAt()))))
          .append("</p>");
    } else {
      b.append("<h1>").append(esc(d.title())).append("</h1>");
      b.append("<p class=\"when\">")
          .append(d.alerts().size())
          .append(d.alerts().size() == 1 ? " alert record" : " alert records")
          .append(" about ")
          .append(d.addresses().isEmpty() ? "no address" : esc(String.join(", ", d.addresses())))
          .append("</p>");
    }
    b.append("</header>");

    b.append("<section><h2>Timeline</h2>");
    b.append("<p class=\"help\">One lane per MAC address that claimed ")
        .append(esc(d.addresses().isEmpty() ? "the address" : String.join(", ", d.addresses())))
        .append(
            ", marked by packet class; a ring is a <b>flip</b> (the address taken from another"
                + " MAC). Red bands are the incidents, vertical lines their alert records; grey bands"
                + " are sensor silences. Drag or scroll to zoom.</p>");
    b.append("<div id=\"timeline\" role=\"img\" aria-label=\"timeline of the bindings\"></div>");
    b.append("<ul id=\"script-errors\"></ul>");
    b.append("</section>");

    b.append("<section><h2>MAC addresses</h2>");
    if (d.lanes().isEmpty()) {
      b.append("<p>No claims on the address were kept in this range.</p>");
    } else {
      b.append(
          "<div class=\"scroll\"><table><thead><tr><th>IP</th><th>MAC</th><th>vendor</th>"
              + "<th>claims</th><th>by class</th><th>flips</th><th>first seen</th><th>last seen</th>"
              + "<th>sensors</th></tr></thead><tbody>");
      for (ReportData.Lane l : d.lanes()) {
        List<String> byClass = new ArrayList<>();
        l.counts().forEach((c, n) -> byClass.add(className(c) + " " + n));
        b.append("<tr class=\"lane\"><td>")
            .append(esc(l.ip()))
            .append("</td><td><code>")
            .append(esc(l.mac()))
            .append("</code></td><td>")
            .append(esc(l.vendor()))
            .append("</td><td class=\"n\">")
            .append(l.claims())
            .append("</td><td>")
            .append(esc(String.join(", ", byClass)))
            .append("</td><td class=\"n\">")
            .append(l.flips())
            .append("</td><td>")
            .append(esc(time(l.firstSeen())))
            .append("</td><td>")
            .append(esc(time(l.lastSeen())))
            .append("</td><td>")
            .append(esc(String.join(", ", l.sensors())))
            .append("</td></tr>");
      }
      b.append("</tbody></table></div>");
    }
    if (d.truncated() > 0) {
      b.append("<p class=\"help\">The timeline draws every flip and every ")
          .append("n-th other claim: ")
          .append(d.truncated())
          .append(" claims are counted above but not drawn.</p>");
    }
    b.append("</section>");

    b.append("<section><h2>Alerts</h2>");
    if (d.alerts().isEmpty()) {
      b.append("<p>No alert records in this range.</p>");
    } else {
      b.append(
          "<div class=\"scroll\"><table><thead><tr><th>time</th><th>record</th>"
              + "<th>severity</th><th>alert</th></tr></thead><tbody>");
      for (Alert r : d.alerts()) {
        b.append("<tr><td>")
            .append(esc(time(r.updatedAt())))
            .append("</td><td>")
            .append(esc(AlertText.stage(r)))
            .append("</td><td>")
            .append(esc(r.severity().name()))
            .append("</td><td>")
            .append(esc(r.summary()))
            .append("</td></tr>");
      }
      b.append("</tbody></table></div>");
    }
    b.append("</section>");

    if (!d.probes().isEmpty()) {
      b.append(
          "<section><h2>Probes</h2><div class=\"scroll\"><table><thead><tr><th>probe</th>"
              + "<th>results</th><th>failed</th><th>answered by</th></tr></thead><tbody>");
      Map<String, long[]> totals = new LinkedHashMap<>();
      Map<String, Map<String, long[]>> byMac = new LinkedHashMap<>();
      for (ReportData.Probe p : d.probes()) {
        String k = p.what() + " " + p.target();
        long[] t = totals.computeIfAbsent(k, x -> new long[2]);
        t[0]++;
        if (!p.ok()) {
          t[1]++;
        }
        long[] m =
            byMac
                .computeIfAbsent(k, x -> new LinkedHashMap<>())
                .computeIfAbsent(p.mac() == null ? "no MAC resolved" : p.mac(), x -> new long[2]);
        m[0]++;
        if (!p.ok()) {
          m[1]++;
        }
      }
      totals.forEach(
          (k, t) -> {
            List<String> macs = new ArrayList<>();
            byMac
                .get(k)
                .forEach((mac, n) -> macs.add(mac + ": " + n[0] + " (" + n[1] + " failed)"));
            b.append("<tr><td>")
                .append(esc(k))
                .append("</td><td class=\"n\">")
                .append(t[0])
                .append("</td><td class=\"n\">")
                .append(t[1])
                .append("</td><td>")
                .append(esc(String.join("; ", macs)))
                .append("</td></tr>");
          });
      b.append("</tbody></table></div></section>");
    }

    if (!d.hosts().isEmpty()) {
      b.append(
          "<section><h2>Host load</h2><div class=\"scroll\"><table><thead><tr><th>host</th>"
              + "<th>samples</th><th>CPU busy, max</th><th>load per core, max</th></tr></thead>"
              + "<tbody>");
      for (ReportData.HostLoad h : d.hosts()) {
        double cpu =
            h.points().stream()
                .filter(p -> p.cpuBusy() != null)
                .mapToDouble(ReportData.LoadPoint::cpuBusy)
                .max()
                .orElse(Double.NaN);
        double load =
            h.points().stream()
                .filter(p -> p.loadPerCore() != null)
                .mapToDouble(ReportData.LoadPoint::loadPerCore)
                .max()
                .orElse(Double.NaN);
        b.append("<tr><td>")
            .append(esc(h.host()))
            .append("</td><td class=\"n\">")
            .append(h.points().size())
            .append("</td><td class=\"n\">")
            .append(Double.isNaN(cpu) ? "–" : String.format(Locale.ROOT, "%.0f %%", cpu * 100))
            .append("</td><td class=\"n\">")
            .append(Double.isNaN(load) ? "–" : String.format(Locale.ROOT, "%.2f", load))
            .append("</td></tr>");
      }
      b.append("</tbody></table></div></section>");
    }

    b.append("<section><h2>Sensors</h2>");
    if (d.sensors().isEmpty()) {
      b.append("<p>No sensor heartbeats in this range.</p>");
    } else {
      b.append(
          "<div class=\"scroll\"><table><thead><tr><th>sensor</th><th>heartbeat</th>"
              + "<th>silences</th></tr></thead><tbody>");
      for (ReportData.SensorTrack s : d.sensors()) {
        List<String> gaps = new ArrayList<>();
        s.gaps()
            .forEach(
                g ->
                    gaps.add(
                        time(g.from())
                            + " – "
                            + time(g.to())
                            + " ("
                            + AlertText.duration(Duration.between(g.from(), g.to()))
                            + ")"));
        b.append("<tr><td>")
            .append(esc(s.source() + " " + s.sensor()))
            .append("</td><td>every ")
            .append(esc(AlertText.duration(Duration.ofMillis(s.intervalMs()))))
            .append("</td><td>")
            .append(gaps.isEmpty() ? "none" : esc(String.join("; ", gaps)))
            .append("</td></tr>");
      }
      b.append("</tbody></table></div>");
    }
    b.append("</section>");

    b.append(
        "<section><h2>Reproduce</h2><p class=\"help\">From a machine that reaches the same"
            + " Kafka (with the same --config):</p><pre>");
    d.commands().forEach(c -> b.append(esc(c)).append('\n'));
    b.append("</pre></section>");
    b.append("<footer>Generated by labwatch at ")
        .append(esc(time(now)))
        .append(" for ")
        .append(esc(time(d.from())))
        .append(" – ")
        .append(esc(time(d.to())))
        .append(". Charts: Apache ECharts 5.3.1 (Apache License 2.0), inlined.</footer>");
    return b.toString();
  }

  /** What the script draws, times as epoch milliseconds. */
  static Map<String, Object> chartData(ReportData d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", d.from().toEpochMilli());
    m.put("to", d.to().toEpochMilli());
    List<Object> lanes = new ArrayList<>();
    for (ReportData.Lane l : d.lanes()) {
      Map<String, Object> lane = new LinkedHashMap<>();
      lane.put("ip", l.ip());
      lane.put("mac", l.mac());
      lane.put("vendor", l.vendor());
      lanes.add(lane);
    }
    m.put("addresses", d.addresses());
    m.put("lanes", lanes);
    List<Object> claims = new ArrayList<>(d.claims().size());
    for (ReportData.Claim c : d.claims()) {
      claims.add(
          List.of(
              c.at().toEpochMilli(),
              c.lane(),
              className(c.packetClass()),
              c.sensor(),
              c.flip() ? 1 : 0));
    }
    m.put("claims", claims);
    List<Object> alerts = new ArrayList<>();
    for (Alert a : d.alerts()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("t", a.updatedAt().toEpochMilli());
      x.put("start", a.startedAt().toEpochMilli());
      x.put("end", a.endedAt() == null ? null : a.endedAt().toEpochMilli());
      x.put("stage", AlertText.stage(a));
      x.put("kind", a.kind());
      x.put("subject", a.subject());
      x.put("summary", a.summary());
      alerts.add(x);
    }
    m.put("alerts", alerts);
    List<Object> sensors = new ArrayList<>();
    for (ReportData.SensorTrack s : d.sensors()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", s.source() + " " + s.sensor());
      x.put("beats", s.beats().stream().map(Instant::toEpochMilli).toList());
      x.put(
          "gaps",
          s.gaps().stream()
              .map(g -> List.of(g.from().toEpochMilli(), g.to().toEpochMilli()))
              .toList());
      sensors.add(x);
    }
    m.put("sensors", sensors);
    List<Object> probes = new ArrayList<>();
    for (ReportData.Probe p : d.probes()) {
      List<Object> x = new ArrayList<>();
      x.add(p.at().toEpochMilli());
      x.add(p.what() + " " + p.target());
      x.add(p.ok() ? 1 : 0);
      x.add(p.latencyMs());
      x.add(p.error());
      x.add(p.mac());
      probes.add(x);
    }
    m.put("probes", probes);
    List<Object> hosts = new ArrayList<>();
    for (ReportData.HostLoad h : d.hosts()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("host", h.host());
      List<Object> points = new ArrayList<>();
      for (ReportData.LoadPoint p : h.points()) {
        List<Object> pt = new ArrayList<>();
        pt.add(p.at().toEpochMilli());
        pt.add(p.cpuBusy() == null ? null : Math.round(p.cpuBusy() * 1000) / 10.0);
        pt.add(p.loadPerCore() == null ? null : Math.round(p.loadPerCore() * 100) / 100.0);
        points.add(pt);
      }
      x.put("points", points);
      hosts.add(x);
    }
    m.put("hosts", hosts);
    return m;
  }

  static String className(PacketClass c) {
    return switch (c) {
      case REQUEST -> "request";
      case REPLY -> "reply";
      case PROBE -> "probe";
      case ANNOUNCEMENT -> "announcement";
      case NEIGHBOR_SOLICITATION -> "neighbour solicitation";
      case NEIGHBOR_ADVERTISEMENT -> "neighbour advertisement";
      case ROUTER_TABLE -> "router table";
    };
  }

  private static String time(Instant t) {
    return t == null ? "–" : AlertText.time(t);
  }

  private static String json(Object o) {
    try {
      return Json.mapper().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new LabwatchException("could not write the report's data: " + e.getMessage(), e);
    }
  }

  /** Text inside a script element must not close it. */
  static String scriptSafe(String s) {
    return s.replace("</", "<\\/");
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String resource(String path) {
    try (InputStream in = ReportPage.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new LabwatchException("labwatch is missing " + path + " (a broken build?)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
