package io.labwatch.app.cli;

import ch.qos.logback.classic.Level;
import io.labwatch.app.config.ConfigException;
import io.labwatch.app.config.ConfigLoader;
import io.labwatch.app.config.Similar;
import io.labwatch.events.LabwatchException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code labwatch} command: the entry point, and the only place that exits the JVM. */
@Command(
    name = "labwatch",
    mixinStandardHelpOptions = true,
    versionProvider = Labwatch.Version.class,
    description = {
      "labwatch tells the people who run a lab network, in seconds, what is wrong with it and"
          + " why: sensors publish what they see to Kafka, one Kafka Streams topology turns it into"
          + " alerts, sinks deliver them.",
      ""
    },
    subcommands = {
      RunCommand.class,
      BrokerCommand.class,
      TopicsCommand.class,
      TailCommand.class,
      SensorCommand.class,
      DetectCommand.class,
      AnalyzeCommand.class,
      ReplayCommand.class,
      ReportCommand.class,
      InventoryCommand.class,
      SinkCommand.class,
      StatusCommand.class,
      SilenceCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Configuration: a YAML file (--config; see labwatch.example.yml), then LABWATCH_* environment"
          + " variables (LABWATCH_BROKER_PORT for broker.port), then flags."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.STATUS_NEEDS_A_LOOK,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
public final class Labwatch implements Callable<Integer> {

  private final CliContext context;

  Labwatch(CliContext context) {
    this.context = context;
  }

  public static void main(String[] args) {
    // /metrics: the JDK HTTP server writes headers and body in separate packets, and Nagle's
    // algorithm meets the scraper's delayed ACK (44 ms a small scrape); read when a server starts
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CliContext context =
        new CliContext(
            out,
            err,
            System.getenv(),
            Path.of("").toAbsolutePath(),
            new Shutdown().onSignals(System::exit));
    int code = execute(context, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line in {@code context}; returns the exit code. */
  public static int execute(CliContext context, String... args) {
    CommandLine cli = new CommandLine(new Labwatch(context));
    WholeValues.apply(cli);
    cli.setOut(new PrintWriter(WholeValues.stripping(context.out()), true));
    cli.setErr(new PrintWriter(WholeValues.stripping(context.err()), true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println("labwatch: error: " + e.getMessage());
          if (!suggestSubcommand(e, err)) {
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
          }
          err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          err.flush();
          return ExitCode.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          boolean debug = LoggerFactory.getLogger("io.labwatch").isDebugEnabled();
          int code;
          if (e instanceof ConfigException) {
            err.println("labwatch: configuration error: " + e.getMessage());
            code = ExitCode.USAGE;
          } else if (e instanceof UsageException) {
            err.println("labwatch: error: " + e.getMessage());
            code = ExitCode.USAGE;
          } else if (e instanceof LabwatchException) {
            err.println("labwatch: error: " + e.getMessage());
            code = ExitCode.SOFTWARE;
          } else if (e instanceof InterruptedException) {
            err.println("labwatch: interrupted");
            code = ExitCode.SOFTWARE;
          } else {
            err.println(
                "labwatch: unexpected error: "
                    + e
                    + (debug ? "" : " (--debug shows where; please report it)"));
            code = ExitCode.SOFTWARE;
          }
          // (a configuration error is the user's, and its line says all: no stack trace even
          // when debug logging is on)
          if (debug && !(e instanceof ConfigException) && !(e instanceof UsageException)) {
            e.printStackTrace(err);
          }
          err.flush();
          return code;
        });
    String unknown = unknownCommand(cli, args);
    if (unknown != null) {
      context.err().println(unknown);
      context.err().flush();
      return ExitCode.USAGE;
    }
    return cli.execute(args);
  }

  /**
   * A command word that names no command, even with {@code --help} after it (picocli would print
   * the parent's help and exit 0 for {@code labwatch silense --help}): the error, a guess, and
   * where to look; null when every command word is known.
   */
  static String unknownCommand(CommandLine cli, String... args) {
    CommandLine at = cli;
    for (String arg : args) {
      if (arg.startsWith("-") || at.getSubcommands().isEmpty()) {
        return null;
      }
      CommandLine next = at.getSubcommands().get(arg);
      if (next == null) {
        String name = at.getCommandSpec().qualifiedName();
        String guess = Similar.closest(arg, at.getSubcommands().keySet(), 2);
        return "labwatch: error: '"
            + arg
            + "' is not a command of "
            + name
            + (guess == null ? "" : "\nDid you mean: " + name + " " + guess + "?")
            + "\nTry '"
            + name
            + " --help'.";
      }
      at = next;
    }
    return null;
  }

  /** picocli's own guess misses swapped letters ("tial"); ours does not. */
  private static boolean suggestSubcommand(CommandLine.ParameterException e, PrintWriter err) {
    if (e instanceof CommandLine.UnmatchedArgumentException u
        && !u.getUnmatched().isEmpty()
        && !u.getUnmatched().get(0).startsWith("-")) {
      String guess =
          Similar.closest(u.getUnmatched().get(0), e.getCommandLine().getSubcommands().keySet(), 2);
      if (guess != null) {
        err.println("Did you mean: " + e.getCommandLine().getCommandName() + " " + guess + "?");
        return true;
      }
    }
    return false;
  }

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(context.out());
    return ExitCode.USAGE;
  }

  CliContext context() {
    return context;
  }

  /** Loads the configuration for a subcommand, applying {@code --debug} first. */
  ConfigLoader.Loaded loadConfig(CommonOptions common, CommonOptions.Overrides overrides) {
    if (common.debug) {
      setLevel("io.labwatch", Level.DEBUG);
      setLevel("org.apache.kafka", Level.INFO);
      setLevel("kafka", Level.INFO);
    }
    return context
        .configLoader()
        .load(common.config, context.env(), overrides.list(), context.workDir());
  }

  private static void setLevel(String logger, Level level) {
    if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(level);
    }
  }

  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "labwatch " + CliText.version(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
