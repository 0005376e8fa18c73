package io.labwatch.app.cli;

import io.labwatch.app.config.Similar;
import io.labwatch.events.AlertKinds;
import io.labwatch.events.HelpTopics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code labwatch help [TOPIC | COMMAND…]}: the man page. A topic is an alert kind or a README
 * section ({@link HelpTopics}); a command gets picocli's usage, as {@code labwatch COMMAND --help}.
 */
@Command(
    name = "help",
    helpCommand = true,
    mixinStandardHelpOptions = true,
    description = {
      "Without an argument, list the help topics. With a topic — an alert kind such as IP_CONFLICT"
          + " (or ip-conflict), or config, metrics, service, silences — print what it means: what"
          + " fires and resolves an alert, how to set labwatch up. With a command (labwatch help"
          + " sensor arp), print its usage, as labwatch sensor arp --help."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {ExitCodes.DONE, ExitCodes.USAGE})
final class HelpCommand implements Callable<Integer> {

  @ParentCommand Labwatch labwatch;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TOPIC|COMMAND", arity = "0..*", description = "A topic or a command.")
  List<String> words = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = labwatch.context().out();
    CommandLine top = spec.parent().commandLine();
    if (words.isEmpty()) {
      out.println("Help topics (labwatch help TOPIC):");
      out.println("  alert kinds: " + String.join(", ", AlertKinds.names()));
      out.println("  setting up:  " + String.join(", ", HelpTopics.GENERAL));
      out.println(
          "Commands (labwatch help COMMAND, or labwatch COMMAND --help): "
              + String.join(", ", commands(top)));
      out.flush();
      return ExitCode.OK;
    }
    CommandLine command = command(top, words);
    if (command != null) {
      command.usage(spec.commandLine().getOut());
      return ExitCode.OK;
    }
    String word = String.join(" ", words);
    Optional<String> text = words.size() == 1 ? HelpTopics.text(word) : Optional.empty();
    if (text.isEmpty()) {
      throw new UsageException(
          "no help topic or command '"
              + word
              + "'"
              + Optional.ofNullable(guess(word, top))
                  .map(g -> " (did you mean: labwatch help " + g + "?)")
                  .orElse("")
              + "; labwatch help lists them");
    }
    out.print(text.get());
    out.flush();
    return ExitCode.OK;
  }

  /** The command {@code words} name under {@code top}, or null. */
  private static CommandLine command(CommandLine top, List<String> words) {
    CommandLine at = top;
    for (String word : words) {
      CommandLine next = at.getSubcommands().get(word);
      if (next == null) {
        return null;
      }
      at = next;
    }
    return at;
  }

  private static List<String> commands(CommandLine top) {
    return top.getSubcommands().keySet().stream().filter(c -> !c.equals("help")).toList();
  }

  private static String guess(String word, CommandLine top) {
    String kind =
        Similar.closest(word.toUpperCase(Locale.ROOT).replace('-', '_'), AlertKinds.names(), 3);
    if (kind != null) {
      return kind;
    }
    List<String> others = new ArrayList<>(HelpTopics.GENERAL);
    others.addAll(commands(top));
    return Similar.closest(word.toLowerCase(Locale.ROOT), others, 2);
  }
}
