package io.labwatch.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.labwatch.app.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a lab admin relies on in docker-compose.yml without running it (DockerComposeIT runs it):
 * every setting {@code .env.example} offers is one the compose file reads, and every variable it
 * reads is documented there or in the README; every service restarts by itself, stops at once (an
 * init), and publishes its ports on 127.0.0.1 only.
 */
class ComposeFilesTest {

  static final Path ROOT = Path.of("..");

  @TempDir Path dir;
  static final Pattern VARIABLE = Pattern.compile("\\$\\{(LABWATCH_[A-Z0-9_]+)");
  static final Pattern SETTING = Pattern.compile("^#?(LABWATCH_[A-Z0-9_]+)=", Pattern.MULTILINE);

  private static Set<String> all(Pattern p, String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  @Test
  void everySettingOfDotEnvExampleIsReadByTheComposeFileAndEveryVariableIsDocumented()
      throws IOException {
    String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
    String dotEnv = Files.readString(ROOT.resolve(".env.example"));
    String readme = Files.readString(ROOT.resolve("README.md"));
    Set<String> offered = all(SETTING, dotEnv);
    Set<String> read = all(VARIABLE, compose);
    assertThat(offered).contains("LABWATCH_SLACK_WEBHOOK_URL");
    assertThat(read).containsAll(offered);
    // labwatch itself leaves the compose file's own variables alone (a shell may export .env)
    Set<String> composeOnly = new TreeSet<>(read);
    composeOnly.removeAll(
        Set.of(
            "LABWATCH_SLACK_WEBHOOK_URL", "LABWATCH_SLACK_REPORT_URL", "LABWATCH_METRICS_LISTEN"));
    Map<String, String> exported = new HashMap<>();
    composeOnly.forEach(v -> exported.put(v, "x"));
    assertThatCode(() -> new ConfigLoader().load(exported, dir)).doesNotThrowAnyException();
    for (String v : read) {
      assertThat(dotEnv.contains(v) || readme.contains(v))
          .as("%s, read by docker-compose.yml, is in .env.example or the README", v)
          .isTrue();
    }
  }

  @Test
  void everyServiceRestartsStopsAtOnceAndPublishesOnLoopbackOnly() throws IOException {
    JsonNode services =
        new ObjectMapper(new YAMLFactory())
            .readTree(ROOT.resolve("docker-compose.yml").toFile())
            .path("services");
    assertThat(services.size()).isEqualTo(4);
    for (Map.Entry<String, JsonNode> e : services.properties()) {
      JsonNode s = e.getValue();
      assertThat(s.path("restart").asText()).as(e.getKey()).isEqualTo("unless-stopped");
      assertThat(s.path("init").asBoolean()).as("%s runs under an init", e.getKey()).isTrue();
      for (JsonNode port : s.path("ports")) {
        assertThat(port.asText()).as("%s's port", e.getKey()).startsWith("127.0.0.1:");
      }
      for (JsonNode dependency : s.path("depends_on")) {
        assertThat(dependency.path("condition").asText()).isEqualTo("service_healthy");
      }
    }
    // the ones others wait on have a health check: labwatch's is in its image (the Dockerfile)
    assertThat(services.path("kafka").has("healthcheck")).isTrue();
    assertThat(services.path("prometheus").has("healthcheck")).isTrue();
    assertThat(Files.readString(ROOT.resolve("Dockerfile")))
        .containsPattern("HEALTHCHECK .*\\n.*curl -fsS http://127.0.0.1:9464/-/healthy");
    // the secret comes from the environment (.env), never from a committed file
    assertThat(
            services
                .path("labwatch")
                .path("environment")
                .path("LABWATCH_SLACK_WEBHOOK_URL")
                .asText())
        .isEqualTo("${LABWATCH_SLACK_WEBHOOK_URL:-}");
    assertThat(Files.readString(ROOT.resolve(".gitignore"))).containsPattern("(?m)^/?\\.env$");
  }
}
