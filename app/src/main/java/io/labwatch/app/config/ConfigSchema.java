package io.labwatch.app.config;

import java.lang.reflect.RecordComponent;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The set of config keys, read off the config records: a record component that is itself a record
 * is a section, a {@link Map} is a free-form section (Kafka settings), anything else is a value.
 */
final class ConfigSchema {

  /** Keys named like credentials are secret whether or not their record says so. */
  private static final java.util.regex.Pattern SECRET_NAME =
      java.util.regex.Pattern.compile(
          "(?i).*(token|webhookurl|password|passphrase|secret|community|authkey|privkey).*");

  private final Set<String> leaves = new TreeSet<>();
  private final Set<String> sections = new TreeSet<>();
  private final Set<String> maps = new TreeSet<>();
  private final Set<String> secrets = new TreeSet<>();
  private final Set<String> lists = new TreeSet<>();
  private final Set<String> flatMaps = new TreeSet<>();
  private final Set<String> listValuedMaps = new TreeSet<>();
  private final Map<String, String> keyByEnv = new TreeMap<>();

  private ConfigSchema() {}

  static ConfigSchema of(Class<? extends Record> root) {
    ConfigSchema schema = new ConfigSchema();
    schema.add(root, "");
    return schema;
  }

  private void add(Class<?> type, String prefix) {
    for (RecordComponent c : type.getRecordComponents()) {
      String key = prefix + c.getName();
      if (c.getType().isRecord()) {
        sections.add(key);
        add(c.getType(), key + ".");
      } else if (Map.class.isAssignableFrom(c.getType())) {
        maps.add(key);
        if (c.getGenericType() instanceof java.lang.reflect.ParameterizedType pt) {
          java.lang.reflect.Type valueType = pt.getActualTypeArguments()[1];
          if (valueType == String.class) {
            flatMaps.add(key);
          } else if (valueType instanceof java.lang.reflect.ParameterizedType vt
              && vt.getRawType() == java.util.List.class) {
            listValuedMaps.add(key);
          }
        }
      } else {
        leaves.add(key);
        if (java.util.List.class.isAssignableFrom(c.getType())) {
          lists.add(key);
        }
        keyByEnv.put(envName(key), key);
        if (c.isAnnotationPresent(Secret.class) || SECRET_NAME.matcher(c.getName()).matches()) {
          secrets.add(key);
        }
      }
    }
  }

  /**
   * {@code broker.port} → {@code LABWATCH_BROKER_PORT}; {@code dataDir} → {@code
   * LABWATCH_DATA_DIR}.
   */
  static String envName(String key) {
    StringBuilder sb = new StringBuilder(ConfigLoader.ENV_PREFIX);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  boolean isLeaf(String key) {
    return leaves.contains(key);
  }

  /** A value that is a list: in the environment and in flags, comma-separated. */
  boolean isList(String key) {
    if (lists.contains(key)) {
      return true;
    }
    int dot = key.indexOf('.');
    while (dot > 0) {
      if (listValuedMaps.contains(key.substring(0, dot))) {
        return true;
      }
      dot = key.indexOf('.', dot + 1);
    }
    return false;
  }

  /** A map of text settings (Kafka's), whose nested YAML is flattened to dotted keys. */
  boolean isFlatMap(String key) {
    return flatMaps.contains(key);
  }

  boolean isSection(String key) {
    return sections.contains(key);
  }

  boolean isMap(String key) {
    return maps.contains(key);
  }

  /** A key a flag may set: a value, or an entry of a free-form map. */
  boolean isKnown(String key) {
    if (leaves.contains(key)) {
      return true;
    }
    int dot = key.indexOf('.');
    while (dot > 0) {
      if (maps.contains(key.substring(0, dot))) {
        return true;
      }
      dot = key.indexOf('.', dot + 1);
    }
    return false;
  }

  boolean isSecret(String key) {
    if (secrets.contains(key)) {
      return true;
    }
    for (String map : maps) {
      if (key.startsWith(map + ".")) {
        return LabwatchConfig.isSecretKafkaKey(key.substring(map.length() + 1));
      }
    }
    // a field of a list's entries (a device's community): secret by its name
    int dot = key.lastIndexOf('.');
    return dot > 0 && isSecretName(key.substring(dot + 1));
  }

  /** A field name that is secret wherever it is (a community, a passphrase, a token). */
  static boolean isSecretName(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  Set<String> maps() {
    return maps;
  }

  String keyOfEnv(String name) {
    return keyByEnv.get(name);
  }

  /** The known key closest to an unknown one, or null when none is close. */
  String suggest(String unknown) {
    Set<String> candidates = new TreeSet<>(leaves);
    candidates.addAll(sections);
    candidates.addAll(maps);
    return closest(unknown, candidates);
  }

  String suggestEnv(String unknown) {
    Set<String> candidates = new TreeSet<>(keyByEnv.keySet());
    maps.forEach(m -> candidates.add(envName(m) + "_…"));
    return closest(unknown, candidates);
  }

  private static String closest(String unknown, Set<String> candidates) {
    String wanted = squash(unknown);
    String lastPart = squash(unknown.substring(unknown.lastIndexOf('.') + 1));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      String squashed = squash(candidate);
      int d = Similar.distance(wanted, squashed);
      // a right name in the wrong place ("port" for "broker.port") is close too
      String candidateLast = squash(candidate.substring(candidate.lastIndexOf('.') + 1));
      if (candidateLast.equals(lastPart) || candidateLast.equals(wanted)) {
        d = Math.min(d, 1);
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    int allowed = Math.max(2, wanted.length() / 4);
    return bestDistance <= allowed ? best : null;
  }

  /** Case, '_', '-' and '.' do not matter when guessing what was meant. */
  private static String squash(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }
}
