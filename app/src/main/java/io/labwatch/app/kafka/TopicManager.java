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

  /** The replicas labwatch expects of its topics, as {@link #ensure} found the cluster. */
  private int replicas = 1;

  public TopicManager(Admin admin) {
    this.admin = admin;
  }

  /** The drift of a topic with fewer replicas than the cluster allows. */
  public static final String REPLICAS = "replicas";

  private static int parseOr(String s, int otherwise) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return otherwise;
    }
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
      int replicas,
      Map<String, String> configs,
      Map<Integer, Long> endOffsets,
      List<Drift> drifts) {

    public long records() {
      return endOffsets.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** The replicas a topic gets on a cluster of {@code brokers}: one per broker, up to three. */
  public static int replicasFor(int brokers) {
    return Math.max(1, Math.min(MAX_AUTO_REPLICAS, brokers));
  }

  /**
   * {@code min.insync.replicas} for {@code replicas}: 2 of 3 (a write survives one broker's loss
   * and is never on one disk alone); 1 with fewer (set on the topic: a broker default of 2 would
   * refuse every write to a topic of one replica).
   */
  static String minInsyncFor(int replicas) {
    return replicas >= 3 ? "2" : "1";
  }

  private static final int MAX_AUTO_REPLICAS = 3;
  private static final String MIN_INSYNC = "min.insync.replicas";

  /** The catalogue's settings of a topic with {@code replicas}, {@code min.insync.replicas} too. */
  private static Map<String, String> expectedConfigs(Topic<?, ?> t, int replicas) {
    Map<String, String> configs = new java.util.TreeMap<>(t.configs());
    configs.put(MIN_INSYNC, minInsyncFor(replicas));
    return configs;
  }

  /**
   * Creates the missing topics and describes all of them.
   *
   * @param replicationFactor replicas for new topics; -1: one per broker of the cluster, up to
   *     three ({@link #replicasFor}), with {@code min.insync.replicas} 2 when three
   */
  public List<TopicState> ensure(Collection<Topic<?, ?>> topics, int replicationFactor) {
    try {
      int replicas =
          replicationFactor > 0
              ? replicationFactor
              : replicasFor(admin.describeCluster().nodes().get().size());
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> t : topics) {
        if (!existing.contains(t.name())) {
          missing.add(
              new NewTopic(t.name(), Optional.of(t.partitions()), Optional.of((short) replicas))
                  .configs(expectedConfigs(t, replicas)));
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
      this.replicas = replicas;
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
    states = addReplicas(states);
    Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
    for (TopicState s : states) {
      List<AlterConfigOp> changes =
          s.drifts().stream()
              .filter(Drift::fixable)
              .filter(d -> !d.setting().equals(REPLICAS))
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

  /** How long {@link #fix} waits for Kafka to copy a topic to its new replicas. */
  private static final Duration REASSIGN_TIMEOUT = Duration.ofMinutes(5);

  /**
   * Gives the topics with too few replicas more (Kafka copies their partitions to the added
   * brokers, the least used first, then lets them lead in turn), and waits until it is done.
   */
  private List<TopicState> addReplicas(List<TopicState> states) {
    List<String> lacking =
        states.stream()
            .filter(s -> s.drifts().stream().anyMatch(d -> d.setting().equals(REPLICAS)))
            .map(s -> s.topic().name())
            .toList();
    if (lacking.isEmpty()) {
      return states;
    }
    List<Topic<?, ?>> topics = states.stream().<Topic<?, ?>>map(TopicState::topic).toList();
    try {
      List<Integer> brokers =
          admin.describeCluster().nodes().get().stream()
              .map(org.apache.kafka.common.Node::id)
              .sorted()
              .toList();
      Map<String, TopicDescription> descriptions =
          admin.describeTopics(lacking).allTopicNames().get();
      Map<Integer, Integer> load = new HashMap<>();
      brokers.forEach(b -> load.put(b, 0));
      descriptions.values().stream()
          .flatMap(d -> d.partitions().stream())
          .flatMap(p -> p.replicas().stream())
          .forEach(n -> load.merge(n.id(), 1, Integer::sum));
      Map<TopicPartition, Optional<org.apache.kafka.clients.admin.NewPartitionReassignment>> moves =
          new HashMap<>();
      for (TopicDescription d : descriptions.values()) {
        for (var p : d.partitions()) {
          List<Integer> now =
              new ArrayList<>(p.replicas().stream().map(org.apache.kafka.common.Node::id).toList());
          while (now.size() < replicas) {
            Integer next =
                brokers.stream()
                    .filter(b -> !now.contains(b))
                    .min(java.util.Comparator.comparingInt(load::get))
                    .orElseThrow(
                        () ->
                            new LabwatchException(
                                d.name()
                                    + " needs "
                                    + replicas
                                    + " replicas and the cluster has "
                                    + brokers.size()
                                    + " brokers"));
            now.add(next);
            load.merge(next, 1, Integer::sum);
          }
          moves.put(
              new TopicPartition(d.name(), p.partition()),
              Optional.of(new org.apache.kafka.clients.admin.NewPartitionReassignment(now)));
        }
      }
      admin.alterPartitionReassignments(moves).all().get();
      long deadline = System.nanoTime() + REASSIGN_TIMEOUT.toNanos();
      while (!admin.listPartitionReassignments(moves.keySet()).reassignments().get().isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new LabwatchException(
              "Kafka is still copying "
                  + String.join(", ", lacking)
                  + " to their new replicas after "
                  + Durations.format(REASSIGN_TIMEOUT)
                  + "; run labwatch topics again later");
        }
        Thread.sleep(200);
      }
      return describeWhenReady(topics, Set.of());
    } catch (ExecutionException e) {
      throw new LabwatchException(
          "cannot add replicas to " + String.join(", ", lacking) + ": " + e.getCause().getMessage(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabwatchException("interrupted while adding replicas", e);
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
                      k -> Optional.ofNullable(c.get(k)).map(ConfigEntry::value).orElse(""),
                      (a, b) -> a,
                      java.util.TreeMap::new));
      int replicasNow = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
      Map<String, String> expected = expectedConfigs(t, replicas);
      Optional.ofNullable(c.get(MIN_INSYNC)).ifPresent(e -> actual.put(MIN_INSYNC, e.value()));
      List<Drift> drifts = new ArrayList<>();
      if (replicasNow < replicas) {
        drifts.add(
            new Drift(REPLICAS, Integer.toString(replicasNow), Integer.toString(replicas), true));
      }
      if (d.partitions().size() != t.partitions()) {
        drifts.add(
            new Drift(
                "partitions",
                Integer.toString(d.partitions().size()),
                Integer.toString(t.partitions()),
                false));
      }
      expected.forEach(
          (k, want) -> {
            String have = actual.get(k);
            boolean weaker =
                k.equals(MIN_INSYNC)
                    ? parseOr(have, 1) < Integer.parseInt(want)
                    : !want.equals(have);
            if (weaker) {
              drifts.add(new Drift(k, have, want, true));
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
              t,
              created.contains(t.name()),
              d.partitions().size(),
              replicasNow,
              actual,
              ends,
              drifts));
    }
    return states;
  }
}
