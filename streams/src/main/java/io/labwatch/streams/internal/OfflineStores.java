package io.labwatch.streams.internal;

import io.labwatch.events.Alert;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.streams.DetectionTopology;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/** The detection's stores as plain objects, for {@code OfflineDetection}. */
public final class OfflineStores {

  private OfflineStores() {}

  public static void register(
      MockProcessorContext<String, Alert> context, Map<IpAddress, List<MacAddress>> inventory) {
    context.addStateStore(new ObjectStore<String, Object>(DetectionTopology.IP_STATE_STORE));
    context.addStateStore(new ObjectStore<String, String>(DetectionTopology.TIMER_STORE));
    context.addStateStore(new ObjectStore<String, Object>(DetectionTopology.SENSOR_STORE));
    context.addStateStore(new ObjectStore<String, Long>(DetectionTopology.META_STORE));
    ObjectStore<String, ValueAndTimestamp<InventoryEntry>> protectedIps =
        new ObjectStore<>(DetectionTopology.INVENTORY_STORE);
    inventory.forEach(
        (ip, macs) ->
            protectedIps.put(
                ip.toString(), ValueAndTimestamp.make(new InventoryEntry(ip, macs, null), 0)));
    context.addStateStore(protectedIps);
  }
}
