package io.labwatch.streams;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.labwatch.events.IpAddress;

/** A network, {@code 10.77.0.0/24} or {@code fe80::/10}; a bare address is a /32 or /128. */
public final class Cidr {

  private final IpAddress network;
  private final int prefix;
  private final byte[] bytes;

  private Cidr(IpAddress network, int prefix) {
    this.network = network;
    this.prefix = prefix;
    this.bytes = network.toBytes();
  }

  /**
   * @throws IllegalArgumentException naming the text when it is not a network
   */
  @JsonCreator
  public static Cidr of(String text) {
    String s = text == null ? "" : text.trim();
    int slash = s.indexOf('/');
    try {
      IpAddress ip = IpAddress.of(slash < 0 ? s : s.substring(0, slash));
      int max = ip.isV4() ? 32 : 128;
      int prefix = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException();
      }
      return new Cidr(ip, prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not a network: '" + text + "' (write e.g. 10.77.0.0/24)", e);
    }
  }

  public boolean contains(IpAddress ip) {
    byte[] b = ip.toBytes();
    if (b.length != bytes.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (b[i] != bytes[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (b[full] & mask) == (bytes[full] & mask);
  }

  @JsonValue
  @Override
  public String toString() {
    return network + "/" + prefix;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && c.network.equals(network);
  }

  @Override
  public int hashCode() {
    return network.hashCode() * 31 + prefix;
  }
}
