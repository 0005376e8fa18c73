package io.labwatch.sinks.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.sinks.Health;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** /help/TOPIC: the runbook_url of the alerting rules. */
class HelpEndpointTest {

  private static HttpResponse<String> get(HTTPServer server, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aKindsHelpIsServedAsTextAndAnUnknownTopicIsA404() throws Exception {
    Health health = new Health();
    try (HTTPServer server =
        PrometheusSink.serve(
            MetricsConfig.listen("127.0.0.1:0", Duration.ofSeconds(10)),
            new LabwatchMetrics(health),
            health)) {
      HttpResponse<String> kind = get(server, "/help/IP_CONFLICT");
      assertThat(kind.statusCode()).isEqualTo(200);
      assertThat(kind.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(kind.body()).startsWith("IP_CONFLICT (critical").contains("Fires when:");
      assertThat(get(server, "/help/silences").body()).startsWith("## Silences");
      assertThat(get(server, "/help/").body()).contains("LINK_FLAPPING", "metrics");

      HttpResponse<String> unknown = get(server, "/help/IP_CONFLCT");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).isEqualTo("no help topic 'IP_CONFLCT': /help/ lists them\n");
    }
  }
}
