package io.labwatch.streams.health;

import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.Vendors;
import java.util.Locale;
import java.util.Map;

/** How the health alerts say numbers, services and MACs. */
public final class Texts {

  private static final Map<Integer, String> SERVICES =
      Map.ofEntries(
          Map.entry(22, "ssh"),
          Map.entry(53, "dns"),
          Map.entry(80, "http"),
          Map.entry(111, "rpcbind"),
          Map.entry(139, "smb"),
          Map.entry(443, "https"),
          Map.entry(445, "smb"),
          Map.entry(2049, "nfs"),
          Map.entry(3306, "mysql"),
          Map.entry(3389, "rdp"),
          Map.entry(5432, "postgres"),
          Map.entry(5900, "vnc"),
          Map.entry(6443, "kubernetes"),
          Map.entry(8888, "jupyter"),
          Map.entry(9090, "prometheus"));

  private Texts() {}

  /** 0.123 → "12 %"; 0.004 → "0.4 %". */
  public static String percent(double share) {
    double p = share * 100;
    return (p < 1 && p > 0 ? String.format(Locale.ROOT, "%.1f", p) : Long.toString(Math.round(p)))
        + " %";
  }

  /** 0.4, 12.5, 1234. */
  public static String number(double v) {
    if (Math.abs(v) >= 100) {
      return Long.toString(Math.round(v));
    }
    String s = String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  /** "00:a0:de:77:00:10 (YAMAHA CORPORATION)". */
  public static String mac(String mac) {
    String vendor = Vendors.describe(MacAddress.of(mac));
    return mac + " (" + (vendor == null ? "unknown vendor" : vendor) + ")";
  }

  /** What a probe tests: "ssh", "tcp/8080", "ping", "arp". */
  public static String service(ProbeResult.Kind kind, Integer port) {
    return switch (kind) {
      case TCP -> SERVICES.getOrDefault(port, "tcp/" + port);
      case ICMP -> "ping";
      case ARP -> "arp";
    };
  }

  /** The host part of a probe's target ({@code tcp://yamato:22?timeout=1s} → yamato). */
  public static String targetHost(String target) {
    String s = target;
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int end = s.length();
    for (char c : new char[] {'?', '/'}) {
      int i = s.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    s = s.substring(0, end);
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      return close > 0 ? s.substring(1, close) : s;
    }
    int colon = s.lastIndexOf(':');
    return colon > 0 && s.indexOf(':') == colon ? s.substring(0, colon) : s;
  }
}
