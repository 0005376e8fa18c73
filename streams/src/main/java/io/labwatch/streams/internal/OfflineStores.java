package io.labwatch.streams.internal;

import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The detection's stores as plain objects, for running it in one process where nothing needs to
 * survive the run: one for every store the supplier declares, and the inventory.
 */
public final class OfflineStores {

  private OfflineStores() {}

  public static List<StateStore> of(
      DetectionSupplier detection, Map<IpAddress, List<MacAddress>> inventory) {
    List<StateStore> stores = new ArrayList<>();
    for (StoreBuilder<?> b : detection.stores()) {
      // the per-IP state is read and written for every packet, by key; the others are small or
      // read by range (the timers)
      stores.add(
          b.name().equals(DetectionSupplier.IP_STATE_STORE)
              ? ObjectStore.<String, Object>hashed(b.name())
              : new ObjectStore<String, Object>(b.name()));
    }
    ObjectStore<String, ValueAndTimestamp<InventoryEntry>> protectedIps =
        new ObjectStore<>(DetectionSupplier.INVENTORY_STORE);
    inventory.forEach(
        (ip, macs) ->
            protectedIps.put(
                ip.toString(), ValueAndTimestamp.make(new InventoryEntry(ip, macs, null), 0)));
    stores.add(protectedIps);
    return stores;
  }
}
