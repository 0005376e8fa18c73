package io.labwatch.events;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Who owns a MAC address: the organisation the IEEE assigned its prefix to (MA-L 24-bit, MA-M
 * 28-bit, MA-S and IAB 36-bit, longest prefix first), from a table shipped inside labwatch and
 * built from Debian's {@code ieee-data} (see {@code make-oui}). Never touches the network; one hash
 * lookup per prefix length.
 */
public final class Vendors {

  /** What {@link #describe} says for a MAC that no registry assigned. */
  public static final String LOCALLY_ADMINISTERED = "locally administered";

  private static final String TABLE = "/io/labwatch/events/oui.tsv.gz";

  private Vendors() {}

  private static final class Table {
    static final Map<Long, String> PREFIXES = load();
  }

  /** The registered organisation, if the IEEE registries know the MAC's prefix. */
  public static Optional<String> lookup(MacAddress mac) {
    long bits = mac.toLong();
    Map<Long, String> t = Table.PREFIXES;
    for (int nibbles : new int[] {9, 7, 6}) {
      String org = t.get(key(bits >>> (4 * (12 - nibbles)), nibbles));
      if (org != null) {
        return Optional.of(org);
      }
    }
    return Optional.empty();
  }

  /**
   * What to call the MAC's owner in an alert: the organisation, "locally administered" (set by
   * software: a VM, a container, a randomised Wi-Fi address), "multicast", or null when unknown.
   */
  public static String describe(MacAddress mac) {
    if (mac.isMulticast()) {
      return "multicast";
    }
    if (mac.isLocallyAdministered()) {
      return LOCALLY_ADMINISTERED;
    }
    return lookup(mac).orElse(null);
  }

  /** How many prefixes the table holds. */
  public static int size() {
    return Table.PREFIXES.size();
  }

  private static long key(long prefix, int nibbles) {
    return (prefix << 4) | nibbles;
  }

  private static Map<Long, String> load() {
    Map<Long, String> map = new HashMap<>(70_000);
    try (InputStream in = Vendors.class.getResourceAsStream(TABLE)) {
      if (in == null) {
        throw new IllegalStateException(TABLE + " is missing from the build");
      }
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
      Map<String, String> interned = new HashMap<>();
      String line;
      while ((line = r.readLine()) != null) {
        int tab = line.indexOf('\t');
        if (line.startsWith("#") || tab < 0) {
          continue;
        }
        String prefix = line.substring(0, tab);
        String org = interned.computeIfAbsent(line.substring(tab + 1), o -> o);
        map.put(key(Long.parseLong(prefix, 16), prefix.length()), org);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the vendor table", e);
    }
    return map;
  }
}
