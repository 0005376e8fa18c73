package io.labwatch.app.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Help text whose values are never split over two lines. picocli wraps at the line-break
 * opportunities Java's {@code BreakIterator} finds, which include the inside of a path, an address
 * or a key ({@code ~/.} + {@code local/share/labwatch}, {@code 0.0.0.0:} + {@code 9464}); pasted
 * back, those are wrong. Within such a value, the punctuation it breaks at is swapped for
 * private-use characters (letters to the layout, the same width) before the layout, and swapped
 * back on the way out ({@link #stripping}). (U+2060 WORD JOINER would be the textbook way; the
 * JDK's line breaker ignores it.)
 */
final class WholeValues {

  /** The punctuation a value keeps whole, and its stand-ins (private use: U+E000...). */
  private static final String PUNCTUATION = "./:~-";

  private static final char FIRST_STAND_IN = '\uE000';

  /**
   * A run of non-blanks (picocli's %n is a blank) with a '.', '/', ':' or '~' in it, not ending in
   * punctuation.
   */
  private static final Pattern VALUE =
      Pattern.compile("(?:[^\\s%]|%(?!n))*[./:~](?:[^\\s%]|%(?!n))*[^\\s.,;)%]");

  private WholeValues() {}

  /** Joins the values in every description of {@code cli} and its subcommands. */
  static void apply(CommandLine cli) {
    CommandSpec spec = cli.getCommandSpec();
    spec.usageMessage().description(join(spec.usageMessage().description()));
    spec.usageMessage().footer(join(spec.usageMessage().footer()));
    // (removed and added again in their order: an option's description is fixed once built;
    // options of an argument group stay as they are, their group holds them)
    List<OptionSpec> options = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (o.group() == null) {
        options.add(o);
      }
    }
    for (OptionSpec o : options) {
      spec.remove(o);
    }
    for (OptionSpec o : options) {
      spec.addOption(o.toBuilder().description(join(o.description())).build());
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      apply(sub);
    }
  }

  static String[] join(String[] lines) {
    String[] out = new String[lines.length];
    for (int i = 0; i < lines.length; i++) {
      out[i] = join(lines[i]);
    }
    return out;
  }

  static String join(String line) {
    Matcher m = VALUE.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = m.group();
      // (picocli's own markup, ${...} and @|...|@, must stay as it is)
      if (value.contains("${") || value.contains("@|")) {
        m.appendReplacement(out, Matcher.quoteReplacement(value));
        continue;
      }
      StringBuilder joined = new StringBuilder(value.length());
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        int p = PUNCTUATION.indexOf(c);
        joined.append(p < 0 ? c : (char) (FIRST_STAND_IN + p));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(joined.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code out} with the stand-ins back to their punctuation. */
  static Writer stripping(Writer out) {
    return new FilterWriter(out) {
      @Override
      public void write(int c) throws IOException {
        int p = c - FIRST_STAND_IN;
        super.write(p >= 0 && p < PUNCTUATION.length() ? PUNCTUATION.charAt(p) : c);
      }

      @Override
      public void write(char[] buf, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
          write(buf[i]);
        }
      }

      @Override
      public void write(String s, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
          write(s.charAt(i));
        }
      }
    };
  }
}
