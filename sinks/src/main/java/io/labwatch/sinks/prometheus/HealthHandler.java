package io.labwatch.sinks.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.labwatch.events.HelpTopics;
import io.labwatch.sinks.Health;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Everything but /metrics: {@code /-/healthy} (200 when every part works, else 503, one line per
 * part either way), the help texts under {@code /help/} (text/plain, 404 for an unknown topic), the
 * incident reports under {@code /incidents/} when a process serves them, and a short index at
 * {@code /}.
 */
final class HealthHandler implements HttpHandler {

  /** Where the help texts are served (the alerting rules' runbook_url): /help/IP_CONFLICT. */
  static final String HELP = "/help/";

  /** Where incident reports are served, when they are. */
  static final String INCIDENTS = "/incidents/";

  private final Health health;
  private final HttpHandler incidents;

  HealthHandler(Health health, HttpHandler incidents) {
    this.health = health;
    this.incidents = incidents;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (incidents != null && path.startsWith(INCIDENTS)) {
      incidents.handle(exchange);
      return;
    }
    try (exchange) {
      int status;
      StringBuilder body = new StringBuilder();
      if (path.equals("/-/healthy")) {
        Map<String, String> parts = health.check();
        boolean ok = parts.values().stream().allMatch(p -> p == null);
        status = ok ? 200 : 503;
        body.append(ok ? "OK" : "UNHEALTHY").append('\n');
        parts.forEach(
            (part, problem) ->
                body.append(part)
                    .append(": ")
                    .append(problem == null ? "ok" : problem)
                    .append('\n'));
      } else if (path.equals(HELP) || path.equals("/help")) {
        status = 200;
        body.append("labwatch help topics: ").append(String.join(", ", HelpTopics.names()));
        body.append('\n');
      } else if (path.startsWith(HELP)) {
        String topic = path.substring(HELP.length());
        Optional<String> text = HelpTopics.text(topic);
        status = text.isPresent() ? 200 : 404;
        body.append(text.orElse("no help topic '" + topic + "': " + HELP + " lists them\n"));
      } else if (path.equals("/")) {
        status = 200;
        body.append("labwatch\n/metrics    metrics (Prometheus text, OpenMetrics, protobuf)\n")
            .append("/-/healthy liveness: 200 when every part works, 503 when one does not\n")
            .append("/help/TOPIC what an alert kind means, what fires and resolves it (runbook)\n");
        if (incidents != null) {
          body.append("/incidents/ID  an incident's report (labwatch report ID)\n");
        }
      } else {
        status = 404;
        body.append("not found: try /metrics or /-/healthy\n");
      }
      byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, out.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    }
  }
}
