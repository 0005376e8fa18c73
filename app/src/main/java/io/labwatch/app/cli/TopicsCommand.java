package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch topics}: ensure labwatch's topics exist, and list them. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = {
      "Create labwatch's topics where missing, then list them: partitions, retention, cleanup"
          + " policy and end offsets.",
      "",
      "Safe to run any time. An existing topic is never changed unless --fix is given; where its"
          + " settings differ from labwatch's catalogue, a warning says how."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.FAILED, ExitCodes.USAGE})
final class TopicsCommand implements Callable<Integer> {

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--fix",
      description = "Set retention and cleanup policy of existing topics to labwatch's values.")
  boolean fix;

  @Override
  public Integer call() {
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides = new CommonOptions.Overrides();
    kafka.addTo(overrides);
    LabwatchConfig config = parent.loadConfig(common, overrides).config();
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      TopicManager manager = new TopicManager(admin);
      List<TopicManager.TopicState> states =
          manager.ensure(config.catalogue().all(), config.topics().replicationFactor());
      if (fix) {
        states = manager.fix(states);
      }
      TopicsTable.print(states, ctx.out());
      ctx.out().flush();
      TopicsTable.warnDrifts(states, ctx.err(), !fix);
      ctx.err().flush();
    }
    return ExitCode.OK;
  }
}
