package io.labwatch.app.cli;

import io.labwatch.app.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command needs from its surroundings, passed in so that tests run commands in-process with
 * their own environment and output.
 *
 * @param out where results go (JSON lines, tables)
 * @param err where messages to the person go
 * @param env the environment variables
 * @param workDir the working directory, where {@code labwatch.yml} is looked for
 * @param shutdown how long-running commands learn that they should stop
 */
public record CliContext(
    PrintWriter out, PrintWriter err, Map<String, String> env, Path workDir, Shutdown shutdown) {

  public ConfigLoader configLoader() {
    return new ConfigLoader();
  }
}
