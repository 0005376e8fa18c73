package io.labwatch.app.kafka;

import io.labwatch.app.config.Durations;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates labwatch's topics as the catalogue says, idempotently, and reports where an existing
 * topic differs from it. It never changes an existing topic unless asked ({@link #fix}), and never
 * its partition count (that would move keys between partitions).
 */
public final class TopicManager {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Admin admin;

  public TopicManager(Admin admin) {
    this.admin = admin;
  }

  /** A setting of an existing topic that differs from the catalogue. */
  public record Drift(String setting, String actual, String expected, boolean fixable) {
    @Override
    public String toString() {
      return setting
          + " is "
          + show(setting, actual)
          + ", labwatch expects "
          + show(setting, expected);
    }

    private static String show(String setting, String value) {
      if (setting.endsWith(".ms")) {
        try {
          long ms = Long.parseLong(value);
          return ms < 0
              ? value + " (forever)"
              : value + " (" + Durations.format(Duration.ofMillis(ms)) + ")";
        } catch (NumberFormatException e) {
          return value;
        }
      }
      return value;
    }
  }

  /** One topic as it is on the broker. */
  public record TopicState(
      Topic<?, ?> topic,
      boolean createdNow,
      int partitions,
      Map<String, String> configs,
      Map<Integer, Long> endOffsets,
      List<Drift> drifts) {

    public long records() {
      return endOffsets.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Creates the missing topics and describes all of them.
   *
   * @param replicationFactor replicas for new topics; -1 for the broker's default
   */
  public List<TopicState> ensure(Collection<Topic<?, ?>> topics, int replicationFactor) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> t : topics) {
        if (!existing.contains(t.name())) {
          Optional<Short> rf =
              replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
          missing.add(new NewTopic(t.name(), Optional.of(t.partitions()), rf).configs(t.configs()));
        }
      }
      Set<String> created = new java.util.HashSet<>();
      if (!missing.isEmpty()) {
        var result = admin.createTopics(missing);
        for (var e : result.values().entrySet()) {
          try {
            e.getValue().get();
            created.add(e.getKey());
          } catch (ExecutionException ex) {
            if (!(ex.getCause() instanceof TopicExistsException)) {
              throw new LabwatchException(
                  "cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(),
                  ex.getCause());
            }
            // created by another labwatch meanwhile: fine
          }
        }
      }
      return describeWhenReady(topics, created);
    } catch (ExecutionException e) {
      throw new LabwatchException(
          "cannot list or create topics: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while creating topics", e);
    }
  }

  /**
   * Sets the fixable settings (retention, cleanup policy) of drifted topics to the catalogue's, and
   * returns the topics as they are once the broker applied the change.
   */
  public List<TopicState> fix(List<TopicState> states) {
    Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
    for (TopicState s : states) {
      List<AlterConfigOp> changes =
          s.drifts().stream()
              .filter(Drift::fixable)
              .map(
                  d ->
                      new AlterConfigOp(
                          new ConfigEntry(d.setting(), d.expected()), AlterConfigOp.OpType.SET))
              .toList();
      if (!changes.isEmpty()) {
        ops.put(new ConfigResource(ConfigResource.Type.TOPIC, s.topic().name()), changes);
      }
    }
    if (ops.isEmpty()) {
      return states;
    }
    List<Topic<?, ?>> topics = states.stream().<Topic<?, ?>>map(TopicState::topic).toList();
    try {
      admin.incrementalAlterConfigs(ops).all().get();
      // the change reaches describeConfigs once the controller has committed it
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (true) {
        List<TopicState> now = describeWhenReady(topics, Set.of());
        boolean done = now.stream().allMatch(t -> t.drifts().stream().noneMatch(Drift::fixable));
        if (done || System.nanoTime() > deadline) {
          return now;
        }
        Thread.sleep(100);
      }
    } catch (ExecutionException e) {
      throw new LabwatchException(
          "cannot change topic settings: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while changing topic settings", e);
    }
  }

  /**
   * Describes the topics, waiting while the broker is still bringing new ones up: right after
   * creation a partition may not have a leader yet ("does not host this topic-partition").
   */
  private List<TopicState> describeWhenReady(Collection<Topic<?, ?>> topics, Set<String> created)
      throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    long backoffMs = 50;
    while (true) {
      try {
        return describe(topics, created);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 1000);
    }
  }

  private List<TopicState> describe(Collection<Topic<?, ?>> topics, Set<String> created)
      throws ExecutionException, InterruptedException {
    List<String> names = topics.stream().map(Topic::name).toList();
    Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
    Map<ConfigResource, Config> configs =
        admin
            .describeConfigs(
                names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList())
            .all()
            .get();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    descriptions
        .values()
        .forEach(
            d ->
                d.partitions()
                    .forEach(
                        p ->
                            latest.put(
                                new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
        admin.listOffsets(latest).all().get();

    List<TopicState> states = new ArrayList<>();
    for (Topic<?, ?> t : topics) {
      TopicDescription d = descriptions.get(t.name());
      Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
      Map<String, String> actual =
          t.configs().keySet().stream()
              .collect(
                  Collectors.toMap(
                      k -> k,
                      k -> Optional.ofNullable(c.get(k)).map(ConfigEntry::value).orElse("")));
      List<Drift> drifts = new ArrayList<>();
      if (d.partitions().size() != t.partitions()) {
        drifts.add(
            new Drift(
                "partitions",
                Integer.toString(d.partitions().size()),
                Integer.toString(t.partitions()),
                false));
      }
      t.configs()
          .forEach(
              (k, expected) -> {
                if (!expected.equals(actual.get(k))) {
                  drifts.add(new Drift(k, actual.get(k), expected, true));
                }
              });
      Map<Integer, Long> ends = new java.util.TreeMap<>();
      d.partitions()
          .forEach(
              p ->
                  ends.put(
                      p.partition(),
                      offsets.get(new TopicPartition(t.name(), p.partition())).offset()));
      states.add(
          new TopicState(
              t, created.contains(t.name()), d.partitions().size(), actual, ends, drifts));
    }
    return states;
  }
}
