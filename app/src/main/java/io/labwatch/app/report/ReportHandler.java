package io.labwatch.app.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /incidents/ID} on the metrics port of {@code labwatch run}: the incident's report, as
 * {@code labwatch report ID} writes it, made when asked from what the topics hold then. The Slack
 * messages link here when {@code slack.reportUrl} says how people reach this port.
 */
public final class ReportHandler implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(ReportHandler.class);
  private static final String PREFIX = "/incidents/";

  private final Map<String, Object> clientProperties;
  private final Topics topics;

  public ReportHandler(Map<String, Object> clientProperties, Topics topics) {
    this.clientProperties = clientProperties;
    this.topics = topics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        send(exchange, 405, "text/plain", "GET only\n");
        return;
      }
      // (the path comes decoded: an id's "/" — 10.77.0.10/ssh — is part of it)
      String id = exchange.getRequestURI().getPath().substring(PREFIX.length());
      if (id.isBlank()) {
        send(
            exchange,
            404,
            "text/plain",
            "an incident id after /incidents/, e.g. /incidents/IP_CONFLICT:10.77.0.10\n");
        return;
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      String page;
      try {
        page =
            ReportPage.render(new ReportCollector(clientProperties, topics).incident(id, now), now);
      } catch (LabwatchException e) {
        send(exchange, 404, "text/plain", e.getMessage() + "\n");
        return;
      } catch (RuntimeException e) {
        log.warn("could not make the report of {}: {}", id, e.toString());
        send(exchange, 500, "text/plain", "could not make the report: " + e.getMessage() + "\n");
        return;
      }
      send(exchange, 200, "text/html", page);
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] out = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
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
