package io.labwatch.streams;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.labwatch.events.MacAddress;
import java.util.Locale;

/**
 * A MAC address with wildcard hex digits, written like one: {@code 00:00:5e:00:01:xx} matches every
 * VRRP virtual MAC, {@code 00:00:0c:9f:fx:xx} every HSRPv2 one.
 */
public final class MacPattern {

  private final String text;
  private final long value;
  private final long mask;

  private MacPattern(String text, long value, long mask) {
    this.text = text;
    this.value = value;
    this.mask = mask;
  }

  /**
   * @throws IllegalArgumentException naming the text when it is not a MAC with optional x digits
   */
  @JsonCreator
  public static MacPattern of(String text) {
    String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (s.length() != 17) {
      throw bad(text);
    }
    long value = 0;
    long mask = 0;
    for (int i = 0; i < 17; i++) {
      char c = s.charAt(i);
      if (i % 3 == 2) {
        if (c != ':' && c != '-') {
          throw bad(text);
        }
        continue;
      }
      value <<= 4;
      mask <<= 4;
      if (c == 'x') {
        continue;
      }
      int d = Character.digit(c, 16);
      if (d < 0 || c > 'f') {
        throw bad(text);
      }
      value |= d;
      mask |= 0xF;
    }
    return new MacPattern(s, value, mask);
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException(
        "not a MAC pattern: '" + text + "' (write e.g. 00:00:5e:00:01:xx, x for any hex digit)");
  }

  public boolean matches(MacAddress mac) {
    return (mac.toLong() & mask) == value;
  }

  @JsonValue
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MacPattern p && p.value == value && p.mask == mask;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value * 31 + mask);
  }
}
