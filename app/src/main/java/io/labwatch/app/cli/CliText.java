package io.labwatch.app.cli;

/** Text that several commands print the same way. */
final class CliText {

  private CliText() {}

  /** labwatch's version, from the jar's manifest; {@code dev} when run from classes. */
  static String version() {
    String v = CliText.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** A URL to paste: a wildcard address becomes this host's name. */
  static String metricsUrl(String host, int port) {
    String h = host;
    if (h.equals("0.0.0.0") || h.equals("::")) {
      try {
        h = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        h = "localhost";
      }
    }
    if (h.contains(":")) {
      h = "[" + h + "]";
    }
    return "http://" + h + ":" + port + "/metrics (health: /-/healthy)";
  }
}
