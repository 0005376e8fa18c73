package io.labwatch.app.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code kafka:} section passes every setting through unchanged — but a typo there would be
 * silently ignored by Kafka. A key close to one of Kafka's client settings is refused with the
 * right spelling; any other unknown key (a plugin's, say) is passed on with a warning.
 */
final class KafkaKeys {

  private static final Logger log = LoggerFactory.getLogger(KafkaKeys.class);
  private static final List<String> CLIENT_PREFIXES =
      List.of(
          "producer.",
          "consumer.",
          "admin.",
          "main.consumer.",
          "restore.consumer.",
          "global.consumer.",
          "topic.");

  private static final class Known {
    static final Set<String> NAMES = names();
  }

  private KafkaKeys() {}

  static void check(Map<String, String> kafka, Map<String, String> sources) {
    for (String key : kafka.keySet()) {
      String bare = key;
      for (String p : CLIENT_PREFIXES) {
        if (bare.startsWith(p)) {
          bare = bare.substring(p.length());
          break;
        }
      }
      if (Known.NAMES.contains(bare)) {
        continue;
      }
      String source = sources.get("kafka." + key);
      String where = source == null ? "" : " (from " + source + ")";
      String guess = Similar.closest(bare, Known.NAMES, 2);
      if (guess != null) {
        throw new ConfigException(
            "kafka."
                + key
                + ": not a Kafka client setting (did you mean kafka."
                + guess
                + "?)"
                + where);
      }
      log.warn("kafka.{} is not a setting of Kafka's clients; passing it on as is{}", key, where);
    }
  }

  private static Set<String> names() {
    Set<String> all = new TreeSet<>();
    all.addAll(ProducerConfig.configNames());
    all.addAll(ConsumerConfig.configNames());
    all.addAll(AdminClientConfig.configNames());
    all.addAll(StreamsConfig.configDef().names());
    return all;
  }
}
