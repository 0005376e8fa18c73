package io.labwatch.app.testing;

import io.labwatch.app.cli.CliContext;
import io.labwatch.app.cli.Labwatch;
import io.labwatch.app.cli.Shutdown;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code labwatch} command lines in this JVM, with their own environment and output. */
public final class Cli {

  private final Map<String, String> env = new HashMap<>();
  private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));

  /** What a command line did. */
  public record Result(int exitCode, String out, String err) {
    public List<String> outLines() {
      return out.lines().toList();
    }

    public List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  public Cli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public Cli workDir(Path dir) {
    this.workDir = dir;
    return this;
  }

  public Result run(String... args) {
    return run(new Shutdown(), args);
  }

  /** Runs with {@code shutdown}, so that a test can stop a long-running command. */
  public Result run(Shutdown shutdown, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context =
        new CliContext(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            Map.copyOf(env),
            workDir,
            shutdown);
    int code = Labwatch.execute(context, args);
    return new Result(code, out.toString(), err.toString());
  }

  @Override
  public String toString() {
    return "Cli" + Arrays.toString(env.keySet().toArray());
  }
}
