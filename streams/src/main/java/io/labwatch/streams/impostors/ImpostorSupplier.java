package io.labwatch.streams.impostors;

import io.labwatch.events.Alert;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.JsonSerde;
import io.labwatch.streams.DetectionConfig;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The impostor rules as a processor over the {@code claims} repartition topic (key: MAC), with the
 * store it owns ({@value #STORE}: MAC to {@link MacState}, JSON). It reads the inventory's global
 * store for the names of addresses.
 */
public final class ImpostorSupplier implements ProcessorSupplier<String, Claim, String, Alert> {

  public static final String STORE = "impostors";

  /** A claim older than this by the wall clock rides the regular commits (see the detection's). */
  private static final long LIVE_MS = 60_000;

  private final DetectionConfig config;
  private final String inventoryStore;

  /**
   * @param inventoryStore the global store of protected addresses, for their names
   */
  public ImpostorSupplier(DetectionConfig config, String inventoryStore) {
    this.config = config;
    this.inventoryStore = inventoryStore;
  }

  @Override
  public Processor<String, Claim, String, Alert> get() {
    return new Processor<>() {
      private ProcessorContext<String, Alert> context;
      private KeyValueStore<String, MacState> states;
      private ImpostorRules rules;

      @Override
      public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
        KeyValueStore<String, ValueAndTimestamp<InventoryEntry>> inventory =
            context.getStateStore(inventoryStore);
        this.rules =
            new ImpostorRules(
                config,
                ip -> {
                  ValueAndTimestamp<InventoryEntry> e = inventory.get(ip);
                  return e == null || e.value() == null ? null : e.value().name();
                });
      }

      @Override
      public void process(Record<String, Claim> record) {
        Claim c = record.value();
        if (c == null || record.key() == null || c.kind() == null || c.ip() == null) {
          return;
        }
        MacState s = states.get(record.key());
        if (s == null) {
          if (c.kind() == Claim.Kind.FORGET) {
            return;
          }
          s = ImpostorRules.newState(record.key());
        }
        var out = rules.onClaim(s, c);
        if (s.isEmpty()) {
          states.delete(record.key());
        } else {
          states.put(record.key(), s);
        }
        long now = context.currentSystemTimeMs();
        boolean live = false;
        for (Alert a : out) {
          long at = a.updatedAt().toEpochMilli();
          context.forward(new Record<>(a.fingerprint(), a, at));
          live |= now - at < LIVE_MS;
        }
        if (live) {
          context.commit(); // rare: an IP conflict, a poisoning
        }
      }
    };
  }

  @Override
  public Set<StoreBuilder<?>> stores() {
    return Set.of(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(STORE), Serdes.String(), JsonSerde.of(MacState.class)));
  }
}
