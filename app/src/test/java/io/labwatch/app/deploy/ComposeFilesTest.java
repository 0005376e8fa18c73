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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
 * init), and publishes its ports on 127.0.0.1 only; Grafana gets labwatch's dashboard bound to the
 * provisioned Prometheus, with a data source and an instance to choose.
 */
class ComposeFilesTest {

  static final Path ROOT = Path.of("..");

  @TempDir Path dir;

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The first Grafana that writes each dashboard schemaVersion (its DashboardMigrator), as far as a
   * version here needs one: a dashboard's {@code __requires} Grafana must know its schema. (39:
   * Grafana 10.4 writes it; 10.3 may already.)
   */
  static final Map<Integer, String> FIRST_GRAFANA_WITH_SCHEMA = Map.of(39, "10.4.0");

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

  /**
   * The dashboard as the compose file's grafana service writes it for the dashboard provider: its
   * {@code ${DS_PROMETHEUS}} input bound to the provisioned Prometheus data source's uid.
   * DockerComposeIT runs its queries on the stack's Prometheus.
   */
  static JsonNode provisionedDashboard() throws IOException {
    JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
    JsonNode grafana = compose.path("services").path("grafana");
    JsonNode datasource =
        YAML.readTree(ROOT.resolve("deploy/grafana/provisioning/datasources/labwatch.yml").toFile())
            .path("datasources")
            .get(0);
    JsonNode provider =
        YAML.readTree(ROOT.resolve("deploy/grafana/provisioning/dashboards/labwatch.yml").toFile())
            .path("providers")
            .get(0);
    assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
    assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(compose.path("services").path("prometheus").path("command").toString())
        .contains("--web.listen-address=0.0.0.0:9090");
    assertThat(grafana.path("volumes").toString())
        .contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro");
    String uid = datasource.path("uid").asText();
    // (Compose turns $$ into $: sed sees ${DS_PROMETHEUS})
    assertThat(grafana.path("entrypoint").toString())
        .contains("s/$${DS_PROMETHEUS}/" + uid + "/g")
        .contains(provider.path("options").path("path").asText() + "/labwatch-dashboard.json");
    String dashboard =
        Files.readString(ROOT.resolve("deploy/grafana/labwatch-dashboard.json"))
            .replace("${DS_PROMETHEUS}", uid);
    // what is left to Grafana is the dashboard's own data source variable, nothing unbound
    assertThat(dashboard.replace("${datasource}", "")).doesNotContain("${");
    JsonNode board = JSON.readTree(dashboard);
    JsonNode variable = variable(board, "datasource");
    assertThat(variable.path("type").asText()).isEqualTo("datasource");
    assertThat(variable.path("query").asText()).isEqualTo("prometheus");
    assertThat(variable.path("current").path("value").asText())
        .as("the data source chosen at first")
        .isEqualTo(uid);
    return board;
  }

  private static JsonNode variable(JsonNode board, String name) {
    for (JsonNode v : board.path("templating").path("list")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("the dashboard has no variable " + name);
  }

  /** A panel's query with the dashboard's variables at their "All" values. */
  static String atAll(String expr) {
    return expr.replace("$job", ".*").replace("$instance", ".*");
  }

  @Test
  void grafanasDashboardQueriesTheChosenDataSourceAndInstanceWithAUnitOnEveryPanel()
      throws IOException {
    JsonNode board = provisionedDashboard();
    // every query, panel and variable asks the data source variable, never a fixed one
    List<JsonNode> withSource = new ArrayList<>(board.findParents("datasource"));
    assertThat(withSource).hasSizeGreaterThan(10);
    for (JsonNode n : withSource) {
      assertThat(n.path("datasource").path("uid").asText())
          .as("the data source of %s", n.path("title").asText(n.path("name").asText()))
          .isEqualTo("${datasource}");
    }
    assertThat(variable(board, "instance").path("query").path("query").asText())
        .isEqualTo("label_values(labwatch_build_info{job=~\"$job\"}, instance)");
    assertThat(variable(board, "instance").path("includeAll").asBoolean()).isTrue();
    List<String> panels = new ArrayList<>();
    for (JsonNode panel : board.path("panels")) {
      String title = panel.path("title").asText();
      panels.add(title);
      assertThat(panel.path("fieldConfig").path("defaults").path("unit").asText())
          .as("the unit of panel %s", title)
          .isNotBlank();
      assertThat(panel.path("targets")).as("the queries of %s", title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText())
            .as("a query of %s", title)
            .contains("job=~\"$job\",instance=~\"$instance\"");
      }
    }
    assertThat(panels).contains("Firing incidents", "Incidents firing", "labwatch parts");
  }

  @Test
  void theDashboardsSchemaVersionIsOneItsRequiredGrafanaKnowsAndComposeRunsSuchAGrafana()
      throws IOException {
    JsonNode board = JSON.readTree(ROOT.resolve("deploy/grafana/labwatch-dashboard.json").toFile());
    int schema = board.path("schemaVersion").asInt();
    String required = null;
    for (JsonNode r : board.path("__requires")) {
      if (r.path("id").asText().equals("grafana")) {
        required = r.path("version").asText();
      }
    }
    assertThat(required).as("__requires names a Grafana").isNotNull();
    assertThat(FIRST_GRAFANA_WITH_SCHEMA)
        .as("which Grafana first writes schemaVersion %d (add it here)", schema)
        .containsKey(schema);
    assertThat(compareVersions(required, FIRST_GRAFANA_WITH_SCHEMA.get(schema)))
        .as("Grafana %s knows schemaVersion %d", required, schema)
        .isNotNegative();
    String image =
        YAML.readTree(ROOT.resolve("docker-compose.yml").toFile())
            .path("services")
            .path("grafana")
            .path("image")
            .asText();
    Matcher m = Pattern.compile(":-[^:]*:([0-9.]+)}").matcher(image);
    assertThat(m.find()).as(image).isTrue();
    assertThat(compareVersions(m.group(1), required))
        .as("compose's Grafana %s is at least the dashboard's %s", m.group(1), required)
        .isNotNegative();
  }

  /** Compares dotted version numbers: 10.4.0 before 11.3.0. */
  static int compareVersions(String a, String b) {
    int[] x = Arrays.stream(a.split("\\.")).mapToInt(Integer::parseInt).toArray();
    int[] y = Arrays.stream(b.split("\\.")).mapToInt(Integer::parseInt).toArray();
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
