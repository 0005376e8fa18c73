package io.labwatch.events;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * One of labwatch's topics, typed: its name, how its keys and values are encoded, and how the
 * broker should keep it. Producers, the topology, sinks and tests all use these constants.
 *
 * @param name the full topic name, prefix included
 * @param shortName the name without prefix, e.g. {@code arp}
 * @param keySerde key encoding
 * @param valueSerde value encoding
 * @param partitions partition count at creation
 * @param retention how long records are kept; negative for forever
 * @param cleanup delete, or compact and delete
 * @param description one line on what it holds
 */
public record Topic<K, V>(
    String name,
    String shortName,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    Duration retention,
    Cleanup cleanup,
    String description) {

  public Topic {
    if (partitions < 1) {
      throw new IllegalArgumentException(name + ": partitions must be >= 1");
    }
  }

  /** Kafka's {@code cleanup.policy}. */
  public enum Cleanup {
    DELETE("delete"),
    COMPACT("compact"),
    COMPACT_DELETE("compact,delete");

    private final String config;

    Cleanup(String config) {
      this.config = config;
    }

    public String config() {
      return config;
    }
  }

  /** The topic-level configs labwatch sets at creation and checks afterwards. */
  public Map<String, String> configs() {
    return Map.of(
        "retention.ms", Long.toString(retention.toMillis()), "cleanup.policy", cleanup.config());
  }
}
