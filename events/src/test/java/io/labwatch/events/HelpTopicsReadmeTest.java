package io.labwatch.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The help texts are copies of README: these fail when the two drift apart. */
class HelpTopicsReadmeTest {

  private static final Pattern ROW =
      Pattern.compile("^\\| `([A-Z_]+)` \\| (.*?) \\| (.*) \\| (.*?) \\|$", Pattern.MULTILINE);

  private static String readme() throws IOException {
    return Files.readString(Path.of("..", "README.md"));
  }

  private static String section(String readme, String heading) {
    int start = readme.indexOf("\n" + heading + "\n");
    assertThat(start).as("README has %s", heading).isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start + 1, end).strip();
  }

  @Test
  void everyKindInReadmesTableHasATopicAndEveryKindIsInTheTable() throws IOException {
    String table = section(readme(), "## What labwatch detects");
    List<String> kinds = new ArrayList<>();
    Matcher row = ROW.matcher(table);
    while (row.find()) {
      kinds.add(row.group(1));
    }
    assertThat(kinds).containsExactlyInAnyOrderElementsOf(AlertKinds.names());
    for (String kind : kinds) {
      assertThat(HelpTopics.topic(kind)).contains(kind);
      assertThat(HelpTopics.text(kind.toLowerCase(Locale.ROOT).replace('_', '-'))).isPresent();
    }
  }

  @Test
  void eachKindsTextSaysWhatReadmesTableSays() throws IOException {
    Matcher row = ROW.matcher(section(readme(), "## What labwatch detects"));
    while (row.find()) {
      String text = HelpTopics.text(row.group(1)).orElseThrow();
      assertThat(text)
          .as(row.group(1))
          .startsWith(row.group(1) + " (" + row.group(2))
          .contains("Fires when: " + row.group(3) + "\n");
      if (!row.group(4).startsWith("—")) {
        assertThat(text).as(row.group(1)).contains("Resolves when: " + row.group(4) + "\n");
      }
    }
  }

  @Test
  void eachGeneralTopicIsItsReadmeSectionAsItStands() throws IOException {
    String readme = readme();
    for (String topic : HelpTopics.GENERAL) {
      String text = HelpTopics.text(topic).orElseThrow();
      String heading = text.lines().findFirst().orElseThrow();
      assertThat(heading).as(topic).startsWith("## ");
      assertThat(text).as(topic).startsWith(section(readme, heading) + "\n");
    }
  }

  @Test
  void topicsAreFoundWhateverTheirCaseAndDashes() {
    assertThat(HelpTopics.topic("ip-conflict")).contains("IP_CONFLICT");
    assertThat(HelpTopics.topic("Ip_Conflict")).contains("IP_CONFLICT");
    assertThat(HelpTopics.topic("SILENCES")).contains("silences");
    assertThat(HelpTopics.topic("ip-conflct")).isEmpty();
    assertThat(HelpTopics.names()).hasSize(AlertKinds.names().size() + HelpTopics.GENERAL.size());
  }
}
