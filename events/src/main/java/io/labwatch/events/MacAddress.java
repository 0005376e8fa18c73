package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A 48-bit IEEE 802 MAC address.
 *
 * <p>Parses the three spellings seen in the field: {@code aa:bb:cc:dd:ee:ff} (Linux), {@code
 * AA-BB-CC-DD-EE-FF} (Windows) and {@code aabb.ccdd.eeff} (Cisco); case does not matter. Its text
 * form, and its JSON form, is always lower-case and colon-separated.
 */
public final class MacAddress implements Comparable<MacAddress> {

  public static final MacAddress ZERO = new MacAddress(0L);
  public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

  private static final long MASK = 0xFFFF_FFFF_FFFFL;

  private final long bits;

  private MacAddress(long bits) {
    this.bits = bits & MASK;
  }

  /**
   * Parses a MAC address.
   *
   * @throws IllegalArgumentException naming the text when it is not a MAC address
   */
  @JsonCreator
  public static MacAddress of(String text) {
    if (text == null) {
      throw new IllegalArgumentException("MAC address is missing");
    }
    long value = parse(text.trim());
    if (value < 0) {
      throw new IllegalArgumentException(
          "not a MAC address: '"
              + text
              + "' (expected aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff)");
    }
    return new MacAddress(value);
  }

  /** The 48-bit value of s, or -1 when s is not one of the three spellings. */
  private static long parse(String s) {
    int groupLength;
    char separator;
    if (s.length() == 17) {
      groupLength = 2;
      separator = s.charAt(2);
      if (separator != ':' && separator != '-') {
        return -1;
      }
    } else if (s.length() == 14) {
      groupLength = 4;
      separator = '.';
    } else {
      return -1;
    }
    long value = 0;
    int inGroup = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inGroup == groupLength) {
        if (c != separator) {
          return -1;
        }
        inGroup = 0;
        continue;
      }
      int digit = hexDigit(c);
      if (digit < 0) {
        return -1;
      }
      value = (value << 4) | digit;
      inGroup++;
    }
    return value;
  }

  /** ASCII hex only: Character.digit would also accept other scripts' digits. */
  static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** The address in the first six bytes of {@code bytes} starting at {@code offset}. */
  public static MacAddress fromBytes(byte[] bytes, int offset) {
    if (bytes == null || offset < 0 || bytes.length - offset < 6) {
      throw new IllegalArgumentException("a MAC address needs 6 bytes");
    }
    long value = 0;
    for (int i = 0; i < 6; i++) {
      value = (value << 8) | (bytes[offset + i] & 0xFF);
    }
    return new MacAddress(value);
  }

  public static MacAddress fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length != 6) {
      throw new IllegalArgumentException(
          "a MAC address has 6 bytes, got " + (bytes == null ? "none" : bytes.length));
    }
    return fromBytes(bytes, 0);
  }

  public static MacAddress fromLong(long value) {
    if ((value & ~MASK) != 0) {
      throw new IllegalArgumentException("a MAC address has 48 bits: " + Long.toHexString(value));
    }
    return new MacAddress(value);
  }

  public long toLong() {
    return bits;
  }

  public byte[] toBytes() {
    byte[] b = new byte[6];
    for (int i = 5; i >= 0; i--) {
      b[i] = (byte) (bits >>> (8 * (5 - i)));
    }
    return b;
  }

  /** The 24-bit organisationally unique identifier: the first three bytes. */
  public int oui() {
    return (int) (bits >>> 24);
  }

  public boolean isZero() {
    return bits == 0;
  }

  public boolean isBroadcast() {
    return bits == MASK;
  }

  /** The group bit (I/G) of the first byte is set; broadcast is a multicast address too. */
  public boolean isMulticast() {
    return (bits & (1L << 40)) != 0;
  }

  /** The U/L bit of the first byte is set: not assigned from an IEEE registry. */
  public boolean isLocallyAdministered() {
    return (bits & (2L << 40)) != 0;
  }

  /** A unicast address that is neither zero nor broadcast: one that can belong to a station. */
  public boolean isStation() {
    return !isZero() && !isMulticast();
  }

  @JsonValue
  @Override
  public String toString() {
    char[] out = new char[17];
    for (int i = 0; i < 6; i++) {
      int b = (int) (bits >>> (8 * (5 - i))) & 0xFF;
      out[i * 3] = Character.forDigit(b >>> 4, 16);
      out[i * 3 + 1] = Character.forDigit(b & 0xF, 16);
      if (i < 5) {
        out[i * 3 + 2] = ':';
      }
    }
    return new String(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacAddress other && other.bits == bits;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bits);
  }

  @Override
  public int compareTo(MacAddress o) {
    return Long.compare(bits, o.bits);
  }
}
