package io.labwatch.streams.bindings;

import io.labwatch.events.MacAddress;
import io.labwatch.events.Vendors;
import java.time.Duration;
import java.util.List;

/** The sentences alerts say, so that every sink says the same. */
public final class AlertTexts {

  private AlertTexts() {}

  /** {@code 00:a0:de:77:00:10 (YAMAHA CORPORATION)}. */
  public static String mac(String mac) {
    String vendor = Vendors.describe(MacAddress.of(mac));
    return mac + " (" + (vendor == null ? "unknown vendor" : vendor) + ")";
  }

  /** "a", "a and b", "a, b and c". */
  public static String list(List<String> items) {
    if (items.size() <= 1) {
      return items.isEmpty() ? "" : items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1))
        + " and "
        + items.get(items.size() - 1);
  }

  /** "41 s", "5 min", "2 h 3 min", "3 d 4 h". */
  public static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + " s";
    }
    long m = s / 60;
    if (m < 120) {
      return m + " min";
    }
    long h = m / 60;
    if (h < 48) {
      return h + " h" + (m % 60 == 0 ? "" : " " + (m % 60) + " min");
    }
    return h / 24 + " d" + (h % 24 == 0 ? "" : " " + (h % 24) + " h");
  }

  public static String flips(long n) {
    return n == 1 ? "1 flip" : n + " flips";
  }
}
