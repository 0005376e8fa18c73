package io.labwatch.producers.arp;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** What the host's network interfaces are, without DNS or external tools. */
public final class Interfaces {

  private Interfaces() {}

  /** An IPv4 address of an interface with its prefix length, e.g. 10.77.0.250/24. */
  public record Ipv4Address(IpAddress address, int prefixLength) {
    public boolean contains(IpAddress ip) {
      if (!ip.isV4()) {
        return false;
      }
      int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
      return (toInt(ip) & mask) == (toInt(address) & mask);
    }

    private static int toInt(IpAddress ip) {
      byte[] b = ip.toBytes();
      return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    @Override
    public String toString() {
      return address + "/" + prefixLength;
    }
  }

  /** The interface of the default IPv4 route, from /proc/net/route. */
  public static Optional<String> defaultRouteInterface() {
    Path routes = Path.of("/proc/net/route");
    try {
      for (String line : Files.readAllLines(routes, StandardCharsets.US_ASCII)) {
        String[] f = line.trim().split("\\s+");
        // Iface Destination Gateway Flags ...; flag 0x1 = RTF_UP
        if (f.length > 3 && f[1].equals("00000000") && (Integer.parseInt(f[3], 16) & 1) != 0) {
          return Optional.of(f[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static final Path SYS_NET = Path.of("/sys/class/net");

  /**
   * The names of this host's interfaces, sorted. From /sys on Linux: Java's own list leaves out
   * interfaces without an IP address, such as a mirror port.
   */
  public static List<String> names() {
    if (Files.isDirectory(SYS_NET)) {
      try (var entries = Files.list(SYS_NET)) {
        return entries.map(p -> p.getFileName().toString()).sorted().toList();
      } catch (IOException e) {
        // fall back to Java's view
      }
    }
    try {
      return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
          .map(NetworkInterface::getName)
          .sorted()
          .toList();
    } catch (SocketException e) {
      return List.of();
    }
  }

  /**
   * Checks that the interface called {@code name} exists.
   *
   * @throws LabwatchException listing the interfaces that do exist
   */
  public static void require(String name) {
    if (!names().contains(name)) {
      throw new LabwatchException(
          "interface " + name + " does not exist; this host has: " + String.join(", ", names()));
    }
  }

  public static Optional<MacAddress> mac(String name) {
    require(name);
    try {
      Path sys = SYS_NET.resolve(name).resolve("address");
      if (Files.isReadable(sys)) {
        MacAddress mac = MacAddress.of(Files.readString(sys, StandardCharsets.US_ASCII).trim());
        return mac.isZero() ? Optional.empty() : Optional.of(mac);
      }
      NetworkInterface ni = NetworkInterface.getByName(name);
      byte[] hw = ni == null ? null : ni.getHardwareAddress();
      return hw != null && hw.length == 6
          ? Optional.of(MacAddress.fromBytes(hw))
          : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Why the interface cannot carry traffic now ("interface eth0 is down", "... has disappeared"),
   * from /sys on Linux; empty when it is up or when this cannot be told.
   */
  public static Optional<String> linkProblem(String name) {
    Path dir = SYS_NET.resolve(name);
    if (!Files.isDirectory(SYS_NET)) {
      return Optional.empty();
    }
    if (!Files.isDirectory(dir)) {
      return Optional.of("interface " + name + " has disappeared");
    }
    try {
      int flags =
          Integer.decode(Files.readString(dir.resolve("flags"), StandardCharsets.US_ASCII).trim());
      if ((flags & 0x1) == 0) { // IFF_UP
        return Optional.of("interface " + name + " is down");
      }
      String carrier = Files.readString(dir.resolve("operstate"), StandardCharsets.US_ASCII).trim();
      if (carrier.equals("down") || carrier.equals("lowerlayerdown")) {
        return Optional.of("interface " + name + " has no link (" + carrier + ")");
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The interface's IPv4 addresses with their prefix lengths. */
  public static List<Ipv4Address> ipv4Addresses(String name) {
    require(name);
    try {
      NetworkInterface ni = NetworkInterface.getByName(name);
      if (ni == null) {
        return List.of(); // Java does not list interfaces without addresses
      }
      return ni.getInterfaceAddresses().stream()
          .filter(a -> a.getAddress() instanceof Inet4Address)
          .map(Interfaces::toIpv4)
          .toList();
    } catch (SocketException e) {
      return List.of();
    }
  }

  private static Ipv4Address toIpv4(InterfaceAddress a) {
    return new Ipv4Address(
        IpAddress.fromBytes(a.getAddress().getAddress()), a.getNetworkPrefixLength());
  }

  /** The kernel's host name; never a DNS lookup. */
  public static String hostName() {
    try {
      String name =
          Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException e) {
      // not Linux
    }
    String env = System.getenv("HOSTNAME");
    return env != null && !env.isBlank() ? env.trim() : "labwatch";
  }
}
