package io.labwatch.sinks;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far consumer groups are behind, from the broker: each group's committed offsets against the
 * ends of the same partitions (read_committed, as labwatch's consumers read). What {@code
 * labwatch_consumer_lag_records} on /metrics and {@code labwatch status} show.
 */
public final class ConsumerLag implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);

  private final Admin admin;

  public ConsumerLag(Map<String, Object> clientProperties, String clientId) {
    Map<String, Object> a = new HashMap<>(clientProperties);
    a.putIfAbsent("client.id", clientId);
    this.admin = Admin.create(a);
  }

  /**
   * Each group's records yet to read, per topic, under the name it is shown by (e.g. {@code
   * detect}); an empty map for a group that has committed nothing. A group whose lag cannot be
   * looked up is left out, and logged.
   *
   * @param groups name to consumer group id
   */
  public Map<String, Map<String, Long>> read(Map<String, String> groups) {
    return read(
        groups,
        (name, e) ->
            log.warn(
                "cannot look up the lag of consumer group {}: {}", groups.get(name), e.toString()));
  }

  /**
   * As {@link #read(Map)}, telling {@code failed} (name, why) of each group whose lag cannot be
   * looked up. When interrupted, returns what it has read.
   */
  public Map<String, Map<String, Long>> read(
      Map<String, String> groups, BiConsumer<String, Exception> failed) {
    Map<String, Map<String, Long>> lag = new LinkedHashMap<>();
    for (Map.Entry<String, String> g : groups.entrySet()) {
      try {
        lag.put(g.getKey(), of(g.getValue()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        failed.accept(g.getKey(), e);
      }
    }
    return lag;
  }

  /**
   * How many members each group has now — consumers in it that are alive, whether or not they have
   * committed anything — under the name it is shown by; 0 for a group that has none, or does not
   * exist. A group that cannot be described is left out, and logged.
   *
   * @param groups name to consumer group id
   */
  public Map<String, Integer> members(Map<String, String> groups) {
    Map<String, Integer> members = new LinkedHashMap<>();
    if (groups.isEmpty()) {
      return members;
    }
    Map<String, KafkaFuture<ConsumerGroupDescription>> described =
        admin.describeConsumerGroups(groups.values()).describedGroups();
    for (Map.Entry<String, String> g : groups.entrySet()) {
      try {
        members.put(
            g.getKey(), described.get(g.getValue()).get(10, TimeUnit.SECONDS).members().size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        // (a group nobody ever joined: the classic coordinator describes it as dead and empty, the
        // new one, Kafka 4's default, does not know it)
        if (e.getCause() instanceof GroupIdNotFoundException) {
          members.put(g.getKey(), 0);
        } else {
          log.warn("cannot describe consumer group {}: {}", g.getValue(), e.getCause().toString());
        }
      } catch (Exception e) {
        log.warn("cannot describe consumer group {}: {}", g.getValue(), e.toString());
      }
    }
    return members;
  }

  /**
   * One process of a consumer group: its threads' consumers together (Kafka Streams names each
   * {@code CLIENT_ID-StreamThread-N-consumer}), the host they connect from, and the partitions they
   * hold, by topic.
   */
  public record Instance(String name, String host, Map<String, SortedSet<Integer>> partitions) {}

  /**
   * The processes in group {@code groupId} now, by name (a member's client id up to {@code
   * -StreamThread-}); empty when the group has none or cannot be described (logged).
   */
  public List<Instance> instances(String groupId) {
    Map<String, Instance> byName = new TreeMap<>();
    try {
      ConsumerGroupDescription d =
          admin
              .describeConsumerGroups(List.of(groupId))
              .describedGroups()
              .get(groupId)
              .get(10, TimeUnit.SECONDS);
      for (MemberDescription m : d.members()) {
        String id = m.clientId();
        int thread = id.indexOf("-StreamThread-");
        String name = thread > 0 ? id.substring(0, thread) : id;
        String host = m.host().startsWith("/") ? m.host().substring(1) : m.host();
        Instance instance =
            byName.computeIfAbsent(name, n -> new Instance(n, host, new TreeMap<>()));
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          instance
              .partitions()
              .computeIfAbsent(tp.topic(), t -> new TreeSet<>())
              .add(tp.partition());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof GroupIdNotFoundException)) {
        log.warn("cannot describe consumer group {}: {}", groupId, e.getCause().toString());
      }
    } catch (Exception e) {
      log.warn("cannot describe consumer group {}: {}", groupId, e.toString());
    }
    return List.copyOf(byName.values());
  }

  private Map<String, Long> of(String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
        new HashMap<>(
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS));
    committed.values().removeIf(o -> o == null);
    if (committed.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
    var ends =
        admin
            .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all()
            .get(10, TimeUnit.SECONDS);
    Map<String, Long> perTopic = new HashMap<>();
    committed.forEach(
        (p, o) -> {
          var end = ends.get(p);
          if (end != null) {
            perTopic.merge(p.topic(), Math.max(0, end.offset() - o.offset()), Long::sum);
          }
        });
    return perTopic;
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
