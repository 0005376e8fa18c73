package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address, parsed from its literal text only (never a host name, so never a DNS
 * lookup).
 *
 * <p>The text form, and the JSON form, is canonical: dotted-quad for IPv4 and RFC 5952 for IPv6
 * (lower case, longest run of zero groups as {@code ::}). Topic keys use it, so one address always
 * has one key.
 */
public final class IpAddress implements Comparable<IpAddress> {

  public static final IpAddress V4_UNSPECIFIED = new IpAddress(new byte[4]);
  public static final IpAddress V6_UNSPECIFIED = new IpAddress(new byte[16]);

  private final byte[] bytes;

  private IpAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Parses an IPv4 address ({@code 10.0.0.1}) or an IPv6 address ({@code fe80::1}, {@code
   * ::ffff:10.0.0.1}).
   *
   * @throws IllegalArgumentException naming the text when it is not an IP address
   */
  @JsonCreator
  public static IpAddress of(String text) {
    if (text == null) {
      throw new IllegalArgumentException("IP address is missing");
    }
    String s = text.trim();
    byte[] parsed = s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
    if (parsed == null) {
      String hint = s.indexOf('%') >= 0 ? " (zone ids like %eth0 are not supported)" : "";
      throw new IllegalArgumentException("not an IP address: '" + text + "'" + hint);
    }
    return new IpAddress(parsed);
  }

  /** The address in 4 (IPv4) or 16 (IPv6) bytes. */
  public static IpAddress fromBytes(byte[] bytes) {
    if (bytes == null || (bytes.length != 4 && bytes.length != 16)) {
      throw new IllegalArgumentException(
          "an IP address has 4 or 16 bytes, got " + (bytes == null ? "none" : bytes.length));
    }
    return new IpAddress(bytes.clone());
  }

  /** The address in {@code length} (4 or 16) bytes of {@code bytes} from {@code offset}. */
  public static IpAddress fromBytes(byte[] bytes, int offset, int length) {
    if (length != 4 && length != 16) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, got " + length);
    }
    if (bytes == null || offset < 0 || bytes.length - offset < length) {
      throw new IllegalArgumentException("not enough bytes for an IP address");
    }
    return new IpAddress(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  private static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    return parseV4Into(s, out, 0) ? out : null;
  }

  /** Strict dotted quad: four decimal octets, no leading zeros (010 is octal to some tools). */
  private static boolean parseV4Into(String s, byte[] out, int at) {
    int octet = 0;
    int digits = 0;
    int index = at;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || index >= at + 4) {
          return false;
        }
        out[index++] = (byte) octet;
        octet = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9') {
        if (digits > 0 && octet == 0) {
          return false;
        }
        octet = octet * 10 + (c - '0');
        if (++digits > 3 || octet > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return index == at + 4;
  }

  private static byte[] parseV6(String s) {
    byte[] out = new byte[16];
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
    String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
    int[] headGroups = groups(head, doubleColon < 0, out, 0);
    if (headGroups == null) {
      return null;
    }
    if (doubleColon < 0) {
      return headGroups[0] == 16 ? out : null;
    }
    byte[] tailBytes = new byte[16];
    int[] tailGroups = groups(tail, true, tailBytes, 0);
    if (tailGroups == null) {
      return null;
    }
    int headLength = headGroups[0];
    int tailLength = tailGroups[0];
    // "::" stands for at least one zero group
    if (headLength + tailLength > 14) {
      return null;
    }
    System.arraycopy(tailBytes, 0, out, 16 - tailLength, tailLength);
    return out;
  }

  /**
   * Parses colon-separated hex groups (an IPv4 dotted quad may end them) into out; returns the
   * number of bytes written, or null when malformed.
   */
  private static int[] groups(String s, boolean mayEndInV4, byte[] out, int at) {
    if (s.isEmpty()) {
      return new int[] {0};
    }
    String[] parts = s.split(":", -1);
    int index = at;
    for (int p = 0; p < parts.length; p++) {
      String part = parts[p];
      boolean last = p == parts.length - 1;
      if (mayEndInV4 && last && part.indexOf('.') >= 0) {
        if (index + 4 > 16 || !parseV4Into(part, out, index)) {
          return null;
        }
        index += 4;
        continue;
      }
      if (part.isEmpty() || part.length() > 4 || index + 2 > 16) {
        return null;
      }
      int value = 0;
      for (int i = 0; i < part.length(); i++) {
        int d = MacAddress.hexDigit(part.charAt(i));
        if (d < 0) {
          return null;
        }
        value = (value << 4) | d;
      }
      out[index++] = (byte) (value >>> 8);
      out[index++] = (byte) value;
    }
    return new int[] {index - at};
  }

  public boolean isV4() {
    return bytes.length == 4;
  }

  public boolean isV6() {
    return bytes.length == 16;
  }

  /** 0.0.0.0 or :: — the "no address yet" of ARP probes and IPv6 duplicate address detection. */
  public boolean isUnspecified() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * The text, once formatted (as {@link String}'s hash: a benign race, the same text either way).
   */
  private String text;

  @JsonValue
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      t = format();
      text = t;
    }
    return t;
  }

  private String format() {
    if (isV4()) {
      return (bytes[0] & 0xFF)
          + "."
          + (bytes[1] & 0xFF)
          + "."
          + (bytes[2] & 0xFF)
          + "."
          + (bytes[3] & 0xFF);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
    }
    // RFC 5952: the longest run (first if tied) of two or more zero groups becomes "::"
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    boolean mapped = bestStart == 0 && bestLength == 5 && g[5] == 0xFFFF;
    StringBuilder sb = new StringBuilder(39);
    int groupsToPrint = mapped ? 6 : 8;
    for (int i = 0; i < groupsToPrint; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    if (mapped) {
      sb.append(':')
          .append(bytes[12] & 0xFF)
          .append('.')
          .append(bytes[13] & 0xFF)
          .append('.')
          .append(bytes[14] & 0xFF)
          .append('.')
          .append(bytes[15] & 0xFF);
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAddress other && Arrays.equals(other.bytes, bytes);
  }

  /**
   * An IPv4 address's 32 bits (its last octets differ most within a lab's networks); {@link
   * Arrays#hashCode(byte[])} of an IPv4 address, a polynomial of small factors, gave 10,000 hosts
   * of a /16 about 1,500 distinct values: hash maps of addresses degenerated into trees.
   */
  @Override
  public int hashCode() {
    if (bytes.length == 4) {
      return (bytes[0] & 0xFF) << 24
          | (bytes[1] & 0xFF) << 16
          | (bytes[2] & 0xFF) << 8
          | (bytes[3] & 0xFF);
    }
    return Arrays.hashCode(bytes);
  }

  /** IPv4 before IPv6, then numerically. */
  @Override
  public int compareTo(IpAddress o) {
    if (bytes.length != o.bytes.length) {
      return Integer.compare(bytes.length, o.bytes.length);
    }
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
