package io.labwatch.sinks.prometheus;

import java.time.Duration;

/**
 * The Prometheus sink's settings ({@code metrics.*}).
 *
 * @param host the address /metrics listens on; {@code 0.0.0.0} for every interface
 * @param port its port; 0 picks a free one
 * @param lagInterval how often consumer lag is looked up on the broker
 */
public record MetricsConfig(String host, int port, Duration lagInterval) {

  public static final String DEFAULT_LISTEN = "0.0.0.0:9464";

  public MetricsConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("listen: no host in the address (e.g. 0.0.0.0:9464)");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("listen: port must be 0..65535, got " + port);
    }
    lagInterval = lagInterval == null ? Duration.ofSeconds(15) : lagInterval;
    if (lagInterval.isNegative() || lagInterval.isZero()) {
      throw new IllegalArgumentException("lagInterval: must be positive, got " + lagInterval);
    }
  }

  /**
   * {@code HOST:PORT}, {@code :PORT} (every interface), {@code [::1]:PORT}; e.g. {@code
   * 0.0.0.0:9464}.
   */
  public static MetricsConfig listen(String listen, Duration lagInterval) {
    String s = listen == null ? "" : listen.trim();
    int colon = s.lastIndexOf(':');
    if (colon < 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(
          "listen: expected HOST:PORT such as 0.0.0.0:9464 or 127.0.0.1:9464, got '" + s + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "listen: the port in '" + s + "' is not a number (e.g. 0.0.0.0:9464)");
    }
    return new MetricsConfig(host, port, lagInterval);
  }

  /** As typed back: {@code 0.0.0.0:9464}, {@code [::1]:9464}. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
