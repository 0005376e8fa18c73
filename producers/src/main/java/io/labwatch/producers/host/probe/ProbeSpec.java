package io.labwatch.producers.host.probe;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.ProbeResult;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reachability probe as configured, a URI:
 *
 * <ul>
 *   <li>{@code tcp://HOST:PORT} — a TCP connection to the port ({@code tcp://10.77.0.10:22}, {@code
 *       tcp://yamato:22}, {@code tcp://[fd00::10]:22});
 *   <li>{@code icmp://HOST} — one ICMP echo request;
 *   <li>{@code arp://HOST} — one ARP request; HOST is an IPv4 address or a name that resolves to
 *       one, on a subnet of one of this host's interfaces.
 * </ul>
 *
 * <p>Each may end in {@code ?interval=5s&timeout=1s}: how often it runs (default {@value
 * #DEFAULT_INTERVAL_TEXT}) and how long one run waits for an answer (default {@value
 * #DEFAULT_TIMEOUT_TEXT}), written {@code 500ms}, {@code 2s}, {@code 1m}. The timeout is at most
 * the interval, so one target's runs never overlap. A host name is resolved at every run (so a
 * changed DNS record is followed), and once when probing starts, so that a typo fails at start.
 *
 * @param text the spec as given; results carry it as their {@code target}
 * @param kind what the probe does
 * @param host the host name or address literal (an IPv6 literal without brackets)
 * @param port the TCP port; null for ICMP and ARP
 * @param interval how often it runs
 * @param timeout how long one run waits
 */
public record ProbeSpec(
    String text,
    ProbeResult.Kind kind,
    String host,
    Integer port,
    Duration interval,
    Duration timeout) {

  static final String DEFAULT_INTERVAL_TEXT = "10s";
  static final String DEFAULT_TIMEOUT_TEXT = "2s";
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Probes more often than this would be load, not measurement. */
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  static final Duration MIN_TIMEOUT = Duration.ofMillis(10);

  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  public ProbeSpec {
    if (text == null || text.isBlank()) {
      throw new LabwatchException("a probe target must not be blank");
    }
    if (kind == null || host == null || host.isBlank() || interval == null || timeout == null) {
      throw fail(text, "kind, host, interval and timeout are required");
    }
    if ((kind == ProbeResult.Kind.TCP) != (port != null)) {
      throw fail(
          text,
          kind == ProbeResult.Kind.TCP
              ? "missing port (write tcp://HOST:PORT)"
              : kind.name().toLowerCase(Locale.ROOT) + " has no port");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw fail(text, "port " + port + " is not 1..65535");
    }
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw fail(text, "interval must be at least " + MIN_INTERVAL.toMillis() + "ms");
    }
    if (timeout.compareTo(MIN_TIMEOUT) < 0) {
      throw fail(text, "timeout must be at least " + MIN_TIMEOUT.toMillis() + "ms");
    }
    if (timeout.compareTo(interval) > 0) {
      throw fail(
          text,
          "timeout ("
              + timeout.toMillis()
              + "ms) is longer than the interval ("
              + interval.toMillis()
              + "ms): one run would still wait when the next is due");
    }
  }

  /**
   * Parses a probe URI (see the class comment).
   *
   * @throws LabwatchException naming the spec and what is wrong with it
   */
  public static ProbeSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new LabwatchException("a probe target must not be blank");
    }
    String spec = text.trim();
    URI uri;
    try {
      uri = new URI(spec);
    } catch (URISyntaxException e) {
      throw fail(
          spec,
          "not a URI ("
              + e.getReason()
              + "); write tcp://HOST:PORT, icmp://HOST or"
              + " arp://IPV4");
    }
    String scheme = uri.getScheme();
    if (scheme == null || uri.isOpaque()) {
      throw fail(spec, "write tcp://HOST:PORT, icmp://HOST or arp://IPV4");
    }
    ProbeResult.Kind kind =
        switch (scheme.toLowerCase(Locale.ROOT)) {
          case "tcp" -> ProbeResult.Kind.TCP;
          case "icmp" -> ProbeResult.Kind.ICMP;
          case "arp" -> ProbeResult.Kind.ARP;
          default -> throw fail(spec, "unknown kind '" + scheme + "' (tcp, icmp or arp)");
        };
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw fail(spec, "no host" + (uri.getRawAuthority() == null ? "" : " that can be used"));
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (uri.getRawUserInfo() != null) {
      throw fail(spec, "a probe target has no user part");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw fail(spec, "a probe target has no path ('" + path + "')");
    }
    if (uri.getRawFragment() != null) {
      throw fail(spec, "a probe target has no '#' part");
    }
    if (kind == ProbeResult.Kind.ARP && looksLikeIpv6(host)) {
      throw fail(spec, "ARP is IPv4 only; " + host + " is an IPv6 address");
    }
    Integer port = uri.getPort() < 0 ? null : uri.getPort();
    if (kind == ProbeResult.Kind.TCP && port == null) {
      throw fail(spec, "missing port (write tcp://" + uri.getRawAuthority() + ":PORT)");
    }
    Map<String, String> params = params(spec, uri.getRawQuery());
    Duration interval = duration(spec, params, "interval", DEFAULT_INTERVAL);
    Duration timeout = duration(spec, params, "timeout", DEFAULT_TIMEOUT);
    return new ProbeSpec(spec, kind, host, port, interval, timeout);
  }

  /** The host as an address, if it is an address literal (no DNS). */
  public IpAddress literal() {
    try {
      return IpAddress.of(host);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean looksLikeIpv6(String host) {
    return host.indexOf(':') >= 0;
  }

  private static Map<String, String> params(String spec, String query) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw fail(spec, "'" + pair + "' is not NAME=VALUE (interval=10s, timeout=2s)");
      }
      String name = pair.substring(0, eq).toLowerCase(Locale.ROOT);
      if (!name.equals("interval") && !name.equals("timeout")) {
        throw fail(spec, "unknown parameter '" + pair.substring(0, eq) + "' (interval, timeout)");
      }
      if (params.put(name, pair.substring(eq + 1)) != null) {
        throw fail(spec, "'" + name + "' is given twice");
      }
    }
    return params;
  }

  private static Duration duration(
      String spec, Map<String, String> params, String name, Duration otherwise) {
    String value = params.get(name);
    if (value == null) {
      return otherwise;
    }
    String s = value.toLowerCase(Locale.ROOT);
    Matcher m = DURATION_PART.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < s.length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
      at = m.end();
    }
    if (at == 0 || at != s.length()) {
      throw fail(spec, name + " '" + value + "' is not a duration (write e.g. 500ms, 2s, 1m)");
    }
    return total;
  }

  private static LabwatchException fail(String spec, String why) {
    return new LabwatchException("probe '" + spec + "': " + why);
  }

  @Override
  public String toString() {
    return text;
  }
}
