package io.labwatch.app.cli;

import io.labwatch.app.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every subcommand takes: the config file, and debug output. */
public final class CommonOptions {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "YAML config file. Default: $LABWATCH_CONFIG, else ./labwatch.yml if it exists, else"
              + " /etc/labwatch/labwatch.yml if it exists, else built-in defaults.")
  Path config;

  @Option(names = "--debug", description = "Log details, and show stack traces on errors.")
  boolean debug;

  /** Collects flag values as config overrides, skipping flags not given. */
  static final class Overrides {
    private final List<ConfigLoader.FlagValue> list = new ArrayList<>();

    Overrides add(String key, Object value, String flag) {
      if (value != null) {
        list.add(new ConfigLoader.FlagValue(key, value.toString(), flag));
      }
      return this;
    }

    List<ConfigLoader.FlagValue> list() {
      return list;
    }
  }
}
