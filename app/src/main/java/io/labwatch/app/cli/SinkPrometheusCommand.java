package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.PrometheusSink;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code labwatch sink prometheus}: serve labwatch's alerts and health on /metrics until stopped.
 */
@Command(
    name = "prometheus",
    mixinStandardHelpOptions = true,
    description = {
      "Serve labwatch's alerts and health for Prometheus until Ctrl-C or SIGTERM: /metrics (the"
          + " Prometheus text format, and OpenMetrics or protobuf when the scraper asks) and"
          + " /-/healthy.",
      "",
      "labwatch_alert_firing{kind,subject,severity} is 1 for each incident firing now; on start it"
          + " is rebuilt from labwatch.alerts, so a restart shows exactly what fires;"
          + " labwatch_alert_silenced{kind,subject} is 1 beside it while a silence covers it. Also:"
          + " alerts,"
          + " ARP observations and sensor drops and heartbeats, the detection's and the sinks'"
          + " consumer lag, dead letters, JVM metrics. deploy/prometheus has a scrape config and"
          + " alerting rules."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class SinkPrometheusCommand implements Callable<Integer> {

  @ParentCommand SinkCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description =
          "Where /metrics and /-/healthy listen (metrics.listen); port 0 picks a free one."
              + " Default: 0.0.0.0:9464.")
  String listen;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides().add("metrics.listen", listen, "--listen");
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      new TopicManager(admin)
          .ensure(
              List.of(
                  config.catalogue().alerts(),
                  config.catalogue().arp(),
                  config.catalogue().dlq(),
                  config.catalogue().silences()),
              config.topics().replicationFactor());
    }
    Health health = new Health();
    LabwatchMetrics metrics = new LabwatchMetrics(health);
    Shutdown shutdown = ctx.shutdown();
    PrometheusSink sink =
        shutdown.register(
            "Prometheus sink",
            PrometheusSink.start(
                config.metrics().sink(),
                config.catalogue(),
                config.kafkaClientProperties(),
                metrics,
                health,
                Pipeline.lagGroups(config)));
    ctx.err()
        .printf(
            "labwatch sink prometheus: %s (%d incident(s) firing) from %s; Ctrl-C stops.%n",
            CliText.metricsUrl(config.metrics().sink().host(), sink.port()),
            metrics.firingCount(),
            config.bootstrapServers());
    ctx.err().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }
}
