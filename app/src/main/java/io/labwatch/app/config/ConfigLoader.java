package io.labwatch.app.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads {@link LabwatchConfig}: built-in defaults, then the YAML file, then {@code LABWATCH_*}
 * environment variables, then flags — each overriding the one before. Every problem is one line
 * that names the key and where its value came from; secret values are never repeated.
 *
 * <p>Environment variables: {@code LABWATCH_} and the key in upper snake case, e.g. {@code
 * LABWATCH_BROKER_PORT} for {@code broker.port} and {@code LABWATCH_DATA_DIR} for {@code dataDir};
 * Kafka settings as {@code LABWATCH_KAFKA_} and the setting with dots as underscores, e.g. {@code
 * LABWATCH_KAFKA_SASL_JAAS_CONFIG} for {@code kafka.sasl.jaas.config}.
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "LABWATCH_";

  /** The environment variable naming the config file, when no --config is given. */
  public static final String CONFIG_ENV = "LABWATCH_CONFIG";

  /** Read by the launcher and the tests, not by the config. */
  private static final Set<String> NOT_CONFIG_ENV =
      Set.of(
          CONFIG_ENV,
          "LABWATCH_JAVA_OPTS",
          "LABWATCH_HOME",
          "LABWATCH_DEBUG",
          "LABWATCH_LOG_LEVEL",
          // docker-compose.yml's own (.env): an admin's shell may export them too
          "LABWATCH_VERSION",
          "LABWATCH_BUILD_IMAGE",
          "LABWATCH_BASE_IMAGE",
          "LABWATCH_PROMETHEUS_BASE_IMAGE",
          "LABWATCH_PREBUILT_JAR",
          "LABWATCH_CONFIG_FILE",
          "LABWATCH_KAFKA_JAVA_OPTS",
          "LABWATCH_GRAFANA_IMAGE");

  private static final String SECRET_SHOWN = "[secret]";

  private final ConfigSchema schema = ConfigSchema.of(LabwatchConfig.class);
  private final ObjectMapper yaml = yamlMapper();

  /** Where a box-wide config is looked for last (the systemd unit's: deploy/systemd). */
  public static final Path SYSTEM_FILE = Path.of("/etc/labwatch/labwatch.yml");

  private final Path systemFile;

  public ConfigLoader() {
    this(SYSTEM_FILE);
  }

  /** A loader whose box-wide file is {@code systemFile} (tests). */
  public ConfigLoader(Path systemFile) {
    this.systemFile = systemFile;
  }

  /** A flag's value for a config key, e.g. {@code --broker-port 0} for {@code broker.port}. */
  public record FlagValue(String key, String value, String flag) {}

  /** The loaded config and the file it came from, if any. */
  public record Loaded(LabwatchConfig config, Optional<Path> file) {}

  /**
   * Loads the configuration.
   *
   * @param explicitFile the file named by {@code --config}, or null
   * @param env the environment (System.getenv() outside tests)
   * @param flags flag values, in the order given
   * @param workDir where a {@code labwatch.yml} is looked for when no file is named
   * @throws ConfigException when anything is wrong, with one line saying what and where
   */
  public Loaded load(
      Path explicitFile, Map<String, String> env, List<FlagValue> flags, Path workDir) {
    Map<String, String> sources = new TreeMap<>();
    ObjectNode tree = readDefaults();

    Optional<Path> file = chooseFile(explicitFile, env, workDir);
    if (file.isPresent()) {
      byte[] bytes = readBytes(file.get());
      ObjectNode fromFile = readFile(file.get(), bytes);
      KeyLines lines = KeyLines.scan(file.get(), bytes);
      String where = file.get().toString();
      checkKeys(fromFile, "", lines);
      normaliseMaps(fromFile, where);
      merge(tree, fromFile, "", where, sources);
      // (each key's source: its line in the file)
      sources.replaceAll((key, source) -> source.equals(where) ? lines.at(key) : source);
    }

    ObjectNode fromEnv = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(env)
        .forEach(
            (name, value) -> {
              if (!name.startsWith(ENV_PREFIX)
                  || NOT_CONFIG_ENV.contains(name)
                  || name.startsWith("LABWATCH_TEST_")) {
                return;
              }
              String key = keyOfEnv(name);
              set(fromEnv, key, valueFor(key, value));
              sources.put(key, "environment variable " + name);
            });
    merge(tree, fromEnv, "", null, null);

    for (FlagValue flag : flags) {
      if (flag.value() == null) {
        continue;
      }
      if (!schema.isKnown(flag.key())) {
        throw new IllegalStateException("flag " + flag.flag() + " sets unknown key " + flag.key());
      }
      set(tree, flag.key(), valueFor(flag.key(), flag.value()));
      sources.put(flag.key(), "flag " + flag.flag());
    }

    LabwatchConfig config = bind(tree, sources);
    KafkaKeys.check(config.kafka(), sources);
    return new Loaded(config, file);
  }

  /** The config from defaults and the given environment only; for commands without flags. */
  public Loaded load(Map<String, String> env, Path workDir) {
    return load(null, env, List.of(), workDir);
  }

  /**
   * The config as one line per key, values as a config file would have them ({@code
   * detection.quietPeriod} → {@code 10m}, a list or map as JSON); secret values that are set show
   * as {@code [secret]}.
   */
  Map<String, String> keys(LabwatchConfig config) {
    Map<String, String> out = new TreeMap<>();
    flattenKeys(yaml.valueToTree(config), "", out);
    return out;
  }

  private void flattenKeys(JsonNode node, String prefix, Map<String, String> out) {
    node.properties()
        .forEach(
            e -> {
              String key = prefix + e.getKey();
              JsonNode v = e.getValue();
              if (v.isObject() && schema.isSection(key)) {
                flattenKeys(v, key + ".", out);
              } else if (v.isObject() && schema.isFlatMap(key)) {
                ObjectNode shown = JsonNodeFactory.instance.objectNode();
                v.properties()
                    .forEach(
                        s ->
                            shown.put(
                                s.getKey(),
                                schema.isSecret(key + "." + s.getKey())
                                    ? SECRET_SHOWN
                                    : s.getValue().asText()));
                out.put(key, shown.toString());
              } else {
                String text =
                    v.isNull() ? "" : v.isContainerNode() ? hideSecrets(v).toString() : v.asText();
                out.put(key, schema.isSecret(key) && !text.isEmpty() ? SECRET_SHOWN : text);
              }
            });
  }

  /** A copy of a list or section whose secret fields (by name) show as {@code [secret]}. */
  private static JsonNode hideSecrets(JsonNode v) {
    JsonNode copy = v.deepCopy();
    hideIn(copy);
    return copy;
  }

  private static void hideIn(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode child = o.get(name);
        if (ConfigSchema.isSecretName(name) && child.isValueNode() && !child.asText().isEmpty()) {
          o.put(name, SECRET_SHOWN);
        } else {
          hideIn(child);
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(ConfigLoader::hideIn);
    }
  }

  // ---- file and defaults

  private Optional<Path> chooseFile(Path explicitFile, Map<String, String> env, Path workDir) {
    if (explicitFile != null) {
      return Optional.of(explicitFile);
    }
    String fromEnv = env.get(CONFIG_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    Path local = workDir.resolve("labwatch.yml");
    if (Files.isRegularFile(local)) {
      return Optional.of(local);
    }
    return Files.isRegularFile(systemFile) ? Optional.of(systemFile) : Optional.empty();
  }

  /**
   * {@link LabwatchConfig#defaults()} as a tree of keys: the code's defaults are the only ones, so
   * a file, the environment and flags override exactly what the tests and benchmarks run.
   */
  private ObjectNode readDefaults() {
    return yaml.valueToTree(LabwatchConfig.defaults());
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
    }
  }

  private ObjectNode readFile(Path file, byte[] bytes) {
    JsonNode node;
    try {
      node = yaml.readTree(bytes);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      String tab = tabIndented(bytes, line);
      if (tab != null) {
        throw new ConfigException("config file " + file + ":" + tab);
      }
      String where =
          e.getLocation() == null
              ? ""
              : " line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new ConfigException(
          "config file "
              + file
              + ":"
              + where
              + ": not valid YAML: "
              + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      throw new ConfigException(
          "config file " + file + ": expected keys and values (a YAML mapping) at the top level");
    }
    return (ObjectNode) node;
  }

  /**
   * "LINE: ..." when a line next to where YAML stopped is indented with a tab, which YAML does not
   * allow and its parser words as a character that "cannot start any token".
   */
  static String tabIndented(byte[] bytes, int errorLine) {
    String[] lines = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
    for (int n = Math.max(1, errorLine - 1); n <= Math.min(lines.length, errorLine + 1); n++) {
      String text = lines[n - 1];
      int i = 0;
      while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        if (text.charAt(i) == '\t') {
          return n + ": a tab in the indentation; YAML indents with spaces only";
        }
        i++;
      }
    }
    return null;
  }

  // ---- keys

  private void checkKeys(ObjectNode node, String prefix, KeyLines lines) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (schema.isMap(key)) {
        continue;
      }
      if (schema.isSection(key)) {
        if (value.isObject()) {
          checkKeys((ObjectNode) value, key + ".", lines);
        } else if (!value.isNull()) {
          throw new ConfigException(
              key + ": expected a section with keys, got a value (in " + lines.at(key) + ")");
        }
        continue;
      }
      if (!schema.isLeaf(key)) {
        throw new ConfigException(
            key
                + ": unknown property"
                + suggestion(schema.suggest(key))
                + " (in "
                + lines.at(key)
                + ")");
      }
      if (value.isObject()) {
        throw new ConfigException(
            key + ": expected a value, got a section (in " + lines.at(key) + ")");
      }
    }
  }

  private String keyOfEnv(String name) {
    String key = schema.keyOfEnv(name);
    if (key != null) {
      return key;
    }
    for (String map : schema.maps()) {
      String mapPrefix = ConfigSchema.envName(map) + "_";
      if (name.startsWith(mapPrefix) && name.length() > mapPrefix.length()) {
        return map
            + "."
            + name.substring(mapPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
      }
    }
    String suggested = schema.suggestEnv(name);
    throw new ConfigException(
        name
            + ": unknown environment variable"
            + (suggested == null ? "" : " (did you mean " + suggested + "?)")
            + "; labwatch reads LABWATCH_<KEY> for its config keys");
  }

  private static String suggestion(String key) {
    return key == null ? "" : " (did you mean " + key + "?)";
  }

  // ---- tree editing

  /** Text from the environment or a flag: a list key's text is comma-separated. */
  private JsonNode valueFor(String key, String text) {
    if (!schema.isList(key)) {
      return TextNode.valueOf(text);
    }
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        list.add(part.trim());
      }
    }
    return list;
  }

  /**
   * Free-form maps of text (kafka) hold flat "a.b.c" keys with text values; nested YAML is
   * flattened. Typed maps (an IP to its MACs) are bound as they are.
   */
  private void normaliseMaps(ObjectNode root, String where) {
    for (String map : schema.maps()) {
      JsonNode node = get(root, map);
      if (node == null || node.isNull()) {
        continue;
      }
      if (!node.isObject()) {
        throw new ConfigException(
            map + ": expected a section of settings, got a value (in " + where + ")");
      }
      if (!schema.isFlatMap(map)) {
        continue;
      }
      Map<String, String> flat = new LinkedHashMap<>();
      flatten(node, "", flat, map);
      ObjectNode replaced = JsonNodeFactory.instance.objectNode();
      flat.forEach(replaced::put);
      set(root, map, replaced);
    }
  }

  private static void flatten(JsonNode node, String prefix, Map<String, String> out, String map) {
    node.properties()
        .forEach(
            e -> {
              String key = prefix + e.getKey();
              JsonNode v = e.getValue();
              if (v.isObject()) {
                flatten(v, key + ".", out, map);
              } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(item.asText()));
                out.put(key, String.join(",", items));
              } else if (!v.isNull()) {
                out.put(key, v.asText());
              }
            });
  }

  private void merge(
      ObjectNode into, ObjectNode from, String prefix, String where, Map<String, String> sources) {
    from.properties()
        .forEach(
            e -> {
              String key = prefix + e.getKey();
              JsonNode v = e.getValue();
              if (v.isNull()) {
                return; // "key:" with no value keeps the default
              }
              JsonNode existing = into.get(e.getKey());
              if (v.isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, (ObjectNode) v, key + ".", where, sources);
              } else {
                into.set(e.getKey(), v);
                if (sources != null) {
                  record(v, key, where, sources);
                }
              }
            });
  }

  private static void record(JsonNode v, String key, String where, Map<String, String> sources) {
    if (v.isObject()) {
      v.properties().forEach(e -> record(e.getValue(), key + "." + e.getKey(), where, sources));
    } else {
      sources.put(key, where);
    }
  }

  /**
   * Sets a key's value; within a free-form map the rest of the key is one name ("kafka" + "a.b").
   */
  private void set(ObjectNode root, String key, JsonNode value) {
    ObjectNode node = root;
    String rest = key;
    String path = "";
    while (true) {
      int dot = rest.indexOf('.');
      if (dot < 0 || schema.isMap(path + rest.substring(0, dot))) {
        if (dot >= 0) {
          String map = rest.substring(0, dot);
          node = objectAt(node, map);
          rest = rest.substring(dot + 1);
        }
        node.set(rest, value);
        return;
      }
      String section = rest.substring(0, dot);
      node = objectAt(node, section);
      path = path + section + ".";
      rest = rest.substring(dot + 1);
    }
  }

  private static ObjectNode objectAt(ObjectNode node, String name) {
    JsonNode child = node.get(name);
    if (child instanceof ObjectNode object) {
      return object;
    }
    return node.putObject(name);
  }

  private JsonNode get(ObjectNode root, String key) {
    JsonNode node = root;
    for (String part : key.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node;
  }

  // ---- binding

  private LabwatchConfig bind(ObjectNode tree, Map<String, String> sources) {
    try {
      return yaml.treeToValue(tree, LabwatchConfig.class);
    } catch (ValueInstantiationException e) {
      // a record refused a value; its message starts with the component's name
      String parent = path(e);
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      int colon = message.indexOf(':');
      String key = parent.isEmpty() ? "" : parent + ".";
      if (colon > 0 && message.substring(0, colon).matches("[A-Za-z]+")) {
        key += message.substring(0, colon);
        message = message.substring(colon + 1).trim();
      } else {
        key = parent;
      }
      throw new ConfigException(key + ": " + message + from(sources, key));
    } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
      String key = pathWithIndexes(e);
      String known =
          e.getKnownPropertyIds() == null
              ? null
              : closestName(
                  e.getPropertyName(),
                  e.getKnownPropertyIds().stream().map(Object::toString).toList());
      throw new ConfigException(
          key + ": unknown property" + suggestion(known) + from(sources, key));
    } catch (InvalidFormatException e) {
      String key = pathWithIndexes(e);
      Object value = schema.isSecret(key) ? SECRET_SHOWN : e.getValue();
      throw new ConfigException(
          key + ": '" + value + "' is not " + describe(e.getTargetType()) + from(sources, key));
    } catch (MismatchedInputException e) {
      String key = pathWithIndexes(e);
      throw new ConfigException(
          key + ": expected " + describe(e.getTargetType()) + from(sources, key));
    } catch (JsonMappingException e) {
      String key = path(e);
      String message = firstLine(e.getOriginalMessage());
      if (schema.isSecret(key)) {
        message = "invalid value";
      }
      throw new ConfigException(key + ": " + message + from(sources, key));
    } catch (JsonProcessingException e) {
      throw new ConfigException("configuration: " + firstLine(e.getOriginalMessage()));
    }
  }

  /** Where a key's value came from; for a field of a list's entry, where the list came from. */
  private static String from(Map<String, String> sources, String key) {
    String k = key.replaceAll("\\[\\d+]", "");
    String source = sources.get(k);
    while (source == null && k.lastIndexOf('.') > 0) {
      k = k.substring(0, k.lastIndexOf('.'));
      source = sources.get(k);
    }
    return source == null ? "" : " (from " + source + ")";
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "a different kind of value";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == Duration.class) {
      return "a duration (e.g. 10s, 5m, 1h)";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list, e.g. [a, b]";
    }
    if (type.isRecord() || Map.class.isAssignableFrom(type)) {
      return "a section with keys";
    }
    return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  /** The key with list positions: {@code sensor.snmp.devices[0].comunity}. */
  private static String pathWithIndexes(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String closestName(String unknown, List<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = Similar.distance(unknown.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= Math.max(2, unknown.length() / 4) ? best : null;
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
      }
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  private static ObjectMapper yamlMapper() {
    SimpleModule module = new SimpleModule("labwatch-config");
    module.addKeyDeserializer(
        io.labwatch.events.IpAddress.class,
        new com.fasterxml.jackson.databind.KeyDeserializer() {
          @Override
          public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            try {
              return io.labwatch.events.IpAddress.of(key);
            } catch (IllegalArgumentException e) {
              throw JsonMappingException.from(ctxt, e.getMessage(), e);
            }
          }
        });
    module.addDeserializer(
        Duration.class,
        new JsonDeserializer<Duration>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            try {
              return Durations.parse(p.getValueAsString());
            } catch (IllegalArgumentException e) {
              throw JsonMappingException.from(p, e.getMessage(), e);
            }
          }
        });
    module.addSerializer(
        Duration.class,
        new JsonSerializer<Duration>() {
          @Override
          public void serialize(Duration d, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            gen.writeString(Durations.format(d));
          }
        });
    module.addSerializer(
        Path.class,
        new JsonSerializer<Path>() {
          @Override
          public void serialize(Path path, JsonGenerator gen, SerializerProvider serializers)
              throws IOException {
            gen.writeString(path.toString());
          }
        });
    module.addDeserializer(
        Path.class,
        new JsonDeserializer<Path>() {
          @Override
          public Path deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            if (text == null || text.isBlank()) {
              throw JsonMappingException.from(p, "a path must not be empty");
            }
            return Paths.expand(text);
          }
        });
    return YAMLMapper.builder()
        .addModule(module)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .build();
  }
}
