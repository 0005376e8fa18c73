package io.labwatch.events;

import java.util.List;

/**
 * A protected address: the MAC(s) that may hold it. Any other MAC asserting it is an {@code
 * ADDRESS_SPOOF}. Kept on the compacted {@code inventory} topic (key: the IP's canonical text; a
 * null value removes the entry), written from the {@code detection.inventory} config.
 *
 * @param v schema major version
 * @param ip the protected address
 * @param macs the MACs allowed to hold it
 * @param name what it is, for alerts (e.g. "gateway"); may be null
 */
public record InventoryEntry(int v, IpAddress ip, List<MacAddress> macs, String name) {

  private static final String TYPE = "InventoryEntry";

  public InventoryEntry {
    Schema.checkVersion(v, TYPE);
    Schema.required(ip, TYPE, "ip");
    macs = Schema.list(macs);
    if (macs.isEmpty()) {
      throw new IllegalArgumentException(TYPE + ": 'macs' must name at least one MAC for " + ip);
    }
  }

  public InventoryEntry(IpAddress ip, List<MacAddress> macs, String name) {
    this(Schema.V1, ip, macs, name);
  }
}
