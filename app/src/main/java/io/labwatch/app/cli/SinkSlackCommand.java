package io.labwatch.app.cli;

import io.labwatch.app.config.ConfigException;
import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.MetricsConfig;
import io.labwatch.sinks.prometheus.PrometheusSink;
import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.sinks.slack.SlackSink;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch sink slack}: deliver alerts to Slack until stopped. */
@Command(
    name = "slack",
    mixinStandardHelpOptions = true,
    description = {
      "Deliver labwatch.alerts to Slack until Ctrl-C or SIGTERM: through an incoming webhook"
          + " (slack.webhookUrl, or LABWATCH_SLACK_WEBHOOK_URL), or as a bot (slack.botToken and"
          + " slack.channel, or LABWATCH_SLACK_BOT_TOKEN and LABWATCH_SLACK_CHANNEL), which edits an"
          + " incident's message as it changes and replies in its thread.",
      "",
      "An alert is committed only once Slack took it: while Slack is down or rate-limits, alerts"
          + " wait in Kafka and go out in order afterwards. After a crash at most one message is"
          + " posted twice; after a clean stop, none. The webhook URL and the token are never printed.",
      "",
      "Incidents a silence matches (labwatch silence add) are not posted; when the silence ends"
          + " and one still fires, it is posted once more."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class SinkSlackCommand implements Callable<Integer> {

  @ParentCommand SinkCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--metrics-listen",
      paramLabel = "HOST:PORT",
      description =
          "Also serve this sink's own metrics (deliveries, retries, digests, JVM) and /-/healthy"
              + " here; off by default (labwatch run and labwatch sink prometheus serve the rest).")
  String metricsListen;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    SlackConfig slack = config.slack();
    if (!slack.enabled()) {
      throw new ConfigException(
          "slack: not configured; set slack.webhookUrl (LABWATCH_SLACK_WEBHOOK_URL), or slack.botToken and slack.channel");
    }
    String bootstrap = config.bootstrapServers();
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      new TopicManager(admin)
          .ensure(
              List.of(
                  config.catalogue().alerts(),
                  config.catalogue().dlq(),
                  config.catalogue().slackThreads(),
                  config.catalogue().silences()),
              config.topics().replicationFactor());
    }
    Shutdown shutdown = ctx.shutdown();
    SlackSink sink =
        shutdown.register(
            "Slack sink",
            SlackSink.start(slack, config.catalogue(), config.kafkaClientProperties()));
    String metricsLine = "";
    if (metricsListen != null) {
      MetricsConfig where;
      try {
        where = MetricsConfig.listen(metricsListen, null);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "--metrics-listen: " + e.getMessage().replaceFirst("^listen: ", ""));
      }
      Health health = new Health().register("Slack sink", sink::problem);
      LabwatchMetrics metrics = new LabwatchMetrics(health);
      metrics.slack(sink);
      var server = shutdown.register("metrics", PrometheusSink.serve(where, metrics, health));
      metricsLine = "; " + CliText.metricsUrl(where.host(), server.getPort());
    }
    ctx.err()
        .printf(
            "labwatch sink slack: %s -> Slack (%s) from %s%s; Ctrl-C stops.%n",
            config.catalogue().alerts().name(),
            slack.botMode()
                ? "bot, " + slack.channel()
                : "webhook " + SlackConfig.redact(slack.webhookUrl()),
            bootstrap,
            metricsLine);
    ctx.err().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }
}
