package io.labwatch.events;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Network segments (broadcast domains), and the {@code labwatch.arp} keys that carry them.
 *
 * <p>An IP address means one device only within one broadcast domain: the same address on two VLANs
 * is two devices, not a conflict. An observation's segment is its frame's 802.1Q VLAN, {@code
 * vlan20}, when the frame is tagged (a sensor on a trunk or mirror port sees many VLANs; a
 * priority-only tag, VLAN 0, is no VLAN), else the segment configured for its sensor ({@code
 * sensor.arp.segment}, for a sensor on an access port of some other VLAN), else the lab's one
 * <em>default segment</em>, which has no name.
 *
 * <p>The key of an observation is the IP it is about (canonical text) in the default segment, and
 * that IP, {@code %} and the segment otherwise: {@code 10.77.0.10%vlan20} — the form of an IPv6
 * zone id ({@code fe80::1%eth0}), which says the same: this address, in that scope. So the keys,
 * the detection's per-address state and its alerts' subjects ({@code
 * IP_CONFLICT:10.77.0.10%vlan20}) are per segment and address, and a lab with one segment keys
 * everything by IP alone, as it did before segments.
 */
public final class Segments {

  /** Between the address and the segment in a key. */
  public static final char SEPARATOR = '%';

  /**
   * A segment name: lower-case letters, digits, {@code .}, {@code _} and {@code -}, starting with a
   * letter or digit, at most 32 characters.
   */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");

  private static final Pattern VLAN = Pattern.compile("vlan([0-9]+)");

  private Segments() {}

  /**
   * The segment of a frame: its VLAN ({@code vlan20}) when tagged with a VLAN id, else {@code
   * configured} (null: the default segment).
   */
  public static String of(Integer vlan, String configured) {
    return vlan != null && vlan > 0 ? "vlan" + vlan : configured;
  }

  /**
   * A configured segment name, checked and in its one spelling (lower case); null or blank: none
   * (the default segment).
   *
   * @throws IllegalArgumentException naming the name when it is not one
   */
  public static String name(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (!NAME.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "not a segment name: '"
              + text
              + "' (letters, digits, '.', '_' and '-', at most 32, e.g. lab-b or vlan20)");
    }
    var vlan = VLAN.matcher(s);
    if (vlan.matches()) {
      String digits = vlan.group(1);
      int id = digits.length() > 4 ? -1 : Integer.parseInt(digits);
      if (id < 1 || id > 4094 || digits.charAt(0) == '0') {
        throw new IllegalArgumentException(
            "not a segment name: '"
                + text
                + "' (vlanN names the 802.1Q VLAN N, 1..4094, as tagged frames of it are keyed)");
      }
    }
    return s;
  }

  /** The key of {@code ip} in {@code segment} (null: the default segment, whose key is the IP). */
  public static String key(IpAddress ip, String segment) {
    return segment == null ? ip.toString() : ip.toString() + SEPARATOR + segment;
  }

  /**
   * The address of a key ({@code 10.77.0.10%vlan20} → 10.77.0.10).
   *
   * @throws IllegalArgumentException when the key holds no address
   */
  public static IpAddress address(String key) {
    int at = key.indexOf(SEPARATOR);
    return IpAddress.of(at < 0 ? key : key.substring(0, at));
  }

  /** The segment of a key, or null for the default segment. */
  public static String segment(String key) {
    int at = key.indexOf(SEPARATOR);
    return at < 0 ? null : key.substring(at + 1);
  }

  /** A key's canonical spelling (an IPv6 address in RFC 5952 text, the segment in lower case). */
  public static String canonical(String key) {
    return key(address(key), name(segment(key)));
  }

  /** How texts name a segment: {@code VLAN 20}, {@code segment lab-b}. */
  public static String describe(String segment) {
    var vlan = VLAN.matcher(segment);
    return vlan.matches() ? "VLAN " + vlan.group(1) : "segment " + segment;
  }

  /**
   * How texts name the address of a key: {@code 10.77.0.10} in the default segment, {@code
   * 10.77.0.10 in VLAN 20}, {@code 10.77.0.10 in segment lab-b}.
   */
  public static String where(String key) {
    String segment = segment(key);
    return segment == null
        ? key
        : key.substring(0, key.indexOf(SEPARATOR)) + " in " + describe(segment);
  }
}
