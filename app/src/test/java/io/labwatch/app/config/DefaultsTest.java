package io.labwatch.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.streams.DetectionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each default is declared once, in code ({@link LabwatchConfig#defaults()} and the modules' typed
 * defaults); labwatch.example.yml and the README's configuration table state them for people. These
 * tests fail when one of them is changed without the others.
 */
class DefaultsTest {

  private static final Path EXAMPLE = Path.of("..", "labwatch.example.yml");
  private static final Path README = Path.of("..", "README.md");

  /** A row of the README's configuration table: | `key` | `default` ... | meaning |. */
  private static final Pattern README_ROW =
      Pattern.compile("^\\| `([A-Za-z.]+)` \\| `([^`]*)`[^|]*\\|", Pattern.MULTILINE);

  @TempDir Path dir;

  private final ConfigLoader loader = new ConfigLoader();

  @Test
  void whatShipsIsWhatTheModulesDeclare() {
    LabwatchConfig shipped = loader.load(Map.of(), dir).config();

    assertThat(shipped).isEqualTo(LabwatchConfig.defaults());
    assertThat(shipped.detection()).isEqualTo(DetectionConfig.defaults());
    assertThat(shipped.slack()).isEqualTo(SlackConfig.off());
  }

  @Test
  void theAnnotatedExampleStatesEveryDefault() {
    assertThat(EXAMPLE).exists();
    LabwatchConfig fromExample = loader.load(EXAMPLE, Map.of(), List.of(), dir).config();

    assertThat(differences(loader.keys(fromExample), "labwatch.example.yml")).isEmpty();
  }

  @Test
  void theReadmesConfigurationTableStatesTheDefaults() throws IOException {
    Matcher row = README_ROW.matcher(Files.readString(README));
    Map<String, String> shipped = loader.keys(LabwatchConfig.defaults());
    List<String> wrong = new ArrayList<>();
    int rows = 0;
    while (row.find()) {
      String key = row.group(1);
      String stated = row.group(2);
      rows++;
      if (!shipped.containsKey(key)) {
        wrong.add(key + ": in README.md, but not a config key");
        continue;
      }
      LabwatchConfig withStated = loadOne(key, stated);
      String value = loader.keys(withStated).get(key);
      if (!value.equals(shipped.get(key))) {
        wrong.add(
            key + ": README.md says " + stated + ", the code ships " + show(shipped.get(key)));
      }
    }
    assertThat(rows).as("rows of README.md's configuration table").isGreaterThan(30);
    assertThat(wrong).isEmpty();
  }

  private List<String> differences(Map<String, String> stated, String where) {
    Map<String, String> shipped = loader.keys(LabwatchConfig.defaults());
    List<String> wrong = new ArrayList<>();
    shipped.forEach(
        (key, value) -> {
          if (!value.equals(stated.get(key))) {
            wrong.add(
                key
                    + ": "
                    + where
                    + " says "
                    + show(stated.get(key))
                    + ", the code ships "
                    + show(value));
          }
        });
    return wrong;
  }

  /** The defaults with one key set to a README's text for it, as a config file would set it. */
  private LabwatchConfig loadOne(String key, String value) {
    String[] parts = key.split("\\.");
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      yaml.append("  ".repeat(i)).append(parts[i]).append(':');
      yaml.append(i == parts.length - 1 ? " " + value + "\n" : "\n");
    }
    try {
      Path file = Files.writeString(dir.resolve("one.yml"), yaml);
      return loader.load(file, Map.of(), List.of(), dir).config();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String show(String value) {
    return value == null ? "(nothing)" : value.isEmpty() ? "\"\"" : value;
  }
}
