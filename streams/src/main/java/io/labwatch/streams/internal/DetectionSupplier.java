package io.labwatch.streams.internal;

import io.labwatch.events.JsonSerde;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.sensors.SensorLiveness;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The detection's processor together with the stores it owns ({@link #stores()}), so that whoever
 * adds it to a topology only wires it, as Kafka's own DSL processors are added.
 *
 * <p>Stores (all keyed by text): {@value #IP_STATE_STORE} (IP to its binding state, {@link
 * IpStateSerde}), {@value #TIMER_STORE} (due time and IP to IP), {@value #SENSOR_STORE} (sensor id
 * to its liveness, JSON), {@value #META_STORE} (the task's own bookkeeping, longs). It also reads
 * the global store {@value #INVENTORY_STORE}, which the topology builds from the inventory topic.
 */
public final class DetectionSupplier
    implements ProcessorSupplier<String, SensorEvent, String, Object> {

  public static final String IP_STATE_STORE = "ip-state";
  public static final String TIMER_STORE = "timers";
  public static final String SENSOR_STORE = "sensors";
  public static final String META_STORE = "meta";
  public static final String INVENTORY_STORE = "inventory";

  private final DetectionConfig config;
  private final int tasks;
  private final boolean cacheStates;

  /** A detection for {@code tasks} tasks (the partitions of the {@code arp} topic). */
  public DetectionSupplier(DetectionConfig config, int tasks) {
    this(config, tasks, true);
  }

  private DetectionSupplier(DetectionConfig config, int tasks, boolean cacheStates) {
    this.config = config;
    this.tasks = tasks;
    this.cacheStates = cacheStates;
  }

  /**
   * A detection in one task whose stores will be {@link OfflineStores}: they hold the states as
   * objects, so its processor keeps no cache of them in front (the same states, one lookup less a
   * record).
   */
  public static DetectionSupplier overObjectStores(DetectionConfig config) {
    return new DetectionSupplier(config, 1, false);
  }

  @Override
  public Processor<String, SensorEvent, String, Object> get() {
    return new DetectionProcessor(config, tasks, cacheStates);
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    // The ip-state store, written for every packet, and the timers hold their writes as objects
    // until the task commits (WriteBehindStore): an address seen many times between two commits is
    // written to RocksDB and its changelog once per commit, not once per packet. (Kafka's record
    // cache did that before, at a third of the detection's time per record, and its byte budget
    // counts a timer entry at a tenth of the heap it takes.) Commits come every
    // commit.interval.ms, and sooner for live alerts (DetectionProcessor.emit). In a fixed order,
    // so the topology is the same every run.
    return new LinkedHashSet<>(
        List.of(
            WriteBehindStore.builder(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(IP_STATE_STORE),
                        Serdes.String(),
                        new IpStateSerde())
                    .withCachingDisabled()),
            WriteBehindStore.builder(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(TIMER_STORE),
                        Serdes.String(),
                        Serdes.String())
                    .withCachingDisabled(),
                true), // (scanned by due time every second of stream time: a sorted buffer)
            // The two small ones (a few sensors; three numbers per task) are held in memory, with
            // their changelogs as for the others: a RocksDB instance less each, which a task's
            // start opens (25 ms each on a fresh state directory, one after another on the stream
            // thread) and which then holds memory of its own; they restore from their changelogs
            // at every start, in a few records.
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SENSOR_STORE),
                Serdes.String(),
                JsonSerde.of(SensorLiveness.SensorState.class)),
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(META_STORE), Serdes.String(), Serdes.Long())));
  }
}
