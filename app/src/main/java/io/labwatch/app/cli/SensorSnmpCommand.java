package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.publish.KafkaEventPublisher;
import io.labwatch.producers.publish.StdoutEventPublisher;
import io.labwatch.producers.snmp.SnmpSensor;
import io.labwatch.producers.snmp.SnmpSensorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch sensor snmp}: poll routers' ARP tables and interface counters by SNMP. */
@Command(
    name = "snmp",
    mixinStandardHelpOptions = true,
    description = {
      "Poll devices by SNMP (v2c or v3) every 30 s: a router's ARP table (ipNetToMediaTable)"
          + " into labwatch.arp as ROUTER_TABLE observations — new and changed entries at once,"
          + " all of them every 10 min — and interface counters (ifXTable, or ifTable's 32-bit"
          + " ones) into labwatch.snmp, with a heartbeat per device every 10 s that carries the"
          + " device's problem, if any.",
      "",
      "Devices come from sensor.snmp.devices, or one from --target. Communities and v3"
          + " passphrases are secrets, never printed: give them by environment"
          + " (LABWATCH_SENSOR_SNMP_COMMUNITY, LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE,"
          + " LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE), in a file (--community-file,"
          + " --auth-passphrase-file, --priv-passphrase-file) or in the config file; --community on"
          + " the command line is seen by everyone who can list processes.",
      "",
      "--once polls every device once, prints one line per device on stderr and exits (1 when a"
          + " device did not answer or answered with a problem). --stdout prints JSON lines"
          + " instead of publishing.",
      "",
      "Examples:",
      "  labwatch sensor snmp --target 10.77.0.1 --community-file /etc/labwatch/community --once"
          + " --stdout",
      "  LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE=… LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE=… \\",
      "    labwatch sensor snmp --target 10.77.0.1 --snmp-version v3 --user labwatch"
          + " --auth-protocol SHA-256 --priv-protocol AES-256",
      "  labwatch sensor snmp            (the devices of sensor.snmp.devices)"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.SNMP_ONCE_FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class SensorSnmpCommand implements Callable<Integer> {

  @ParentCommand SensorCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = {"-t", "--target"},
      paramLabel = "HOST[:PORT]",
      split = ",",
      description =
          "Poll this device (port 161 unless given) instead of sensor.snmp.devices; repeat or"
              + " separate with commas for more. Each is named by its address.")
  List<String> targets;

  @Option(
      names = "--snmp-version",
      paramLabel = "v2c|v3",
      description = "SNMP version (sensor.snmp.version). Default: v2c.")
  String version;

  @Option(
      names = {"-c", "--community"},
      paramLabel = "COMMUNITY",
      description =
          "v2c community (sensor.snmp.community). Seen by anyone who lists processes: better"
              + " --community-file or LABWATCH_SENSOR_SNMP_COMMUNITY.")
  String community;

  @Option(
      names = "--community-file",
      paramLabel = "FILE",
      description = "Read the v2c community from the first line of FILE.")
  Path communityFile;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "NAME",
      description = "v3 user name (sensor.snmp.user).")
  String user;

  @Option(
      names = "--auth-protocol",
      paramLabel = "PROTOCOL",
      description =
          "v3 authentication: MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"
              + " (sensor.snmp.authProtocol). Default: SHA.")
  String authProtocol;

  @Option(
      names = "--auth-passphrase-file",
      paramLabel = "FILE",
      description =
          "Read the v3 authentication passphrase from the first line of FILE (or"
              + " LABWATCH_SENSOR_SNMP_AUTH_PASSPHRASE).")
  Path authPassphraseFile;

  @Option(
      names = "--priv-protocol",
      paramLabel = "PROTOCOL",
      description =
          "v3 privacy: AES (128), AES-192, AES-256, DES (sensor.snmp.privProtocol). Default: AES.")
  String privProtocol;

  @Option(
      names = "--priv-passphrase-file",
      paramLabel = "FILE",
      description =
          "Read the v3 privacy passphrase from the first line of FILE (or"
              + " LABWATCH_SENSOR_SNMP_PRIV_PASSPHRASE).")
  Path privPassphraseFile;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      description = "How often each device is polled (sensor.snmp.interval). Default: 30s.")
  String interval;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "How long to wait for an answer to one request (sensor.snmp.timeout).")
  String timeout;

  @Option(
      names = "--retries",
      paramLabel = "N",
      description = "How often an unanswered request is sent again (sensor.snmp.retries).")
  Integer retries;

  @Option(
      names = "--tables",
      paramLabel = "arp,interfaces,ipv6",
      description =
          "What to poll (sensor.snmp.tables): arp (ipNetToMediaTable), interfaces (ifXTable,"
              + " ifTable), ipv6 (IPv6 neighbours of ipNetToPhysicalTable; off by default, as"
              + " Net-SNMP 5.9.3 reports a wrong MAC for about a minute after one changes)."
              + " Default: arp,interfaces.")
  String tables;

  @Option(names = "--once", description = "Poll every device once, then exit.")
  boolean once;

  @Option(
      names = "--stdout",
      description = "Print observations and counters as JSON lines instead of publishing.")
  boolean stdout;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides()
            .add(
                "sensor.snmp.devices",
                targets == null ? null : String.join(",", targets),
                "--target")
            .add("sensor.snmp.version", version, "--snmp-version")
            .add("sensor.snmp.community", community, "--community")
            .add("sensor.snmp.community", secretFile(communityFile), "--community-file")
            .add("sensor.snmp.user", user, "--user")
            .add("sensor.snmp.authProtocol", authProtocol, "--auth-protocol")
            .add(
                "sensor.snmp.authPassphrase",
                secretFile(authPassphraseFile),
                "--auth-passphrase-file")
            .add("sensor.snmp.privProtocol", privProtocol, "--priv-protocol")
            .add(
                "sensor.snmp.privPassphrase",
                secretFile(privPassphraseFile),
                "--priv-passphrase-file")
            .add("sensor.snmp.interval", interval, "--interval")
            .add("sensor.snmp.timeout", timeout, "--timeout")
            .add("sensor.snmp.retries", retries, "--retries")
            .add("sensor.snmp.tables", tables, "--tables");
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    SnmpSensorConfig snmp = config.sensor().snmp();
    if (!snmp.enabled()) {
      throw new LabwatchException(
          "no SNMP devices to poll: give one with --target HOST[:PORT], or list them under"
              + " sensor.snmp.devices");
    }
    Shutdown shutdown = ctx.shutdown();
    EventPublisher publisher = shutdown.register("publisher", publisher(config, ctx));
    String to =
        stdout
            ? "printing JSON lines"
            : "publishing to "
                + config.catalogue().arp().name()
                + " and "
                + config.catalogue().snmp().name()
                + " at "
                + config.bootstrapServers();
    if (once) {
      List<SnmpSensor.Outcome> outcomes = SnmpSensor.pollOnce(snmp, publisher, Clock.systemUTC());
      for (SnmpSensor.Outcome o : outcomes) {
        ctx.err().println("labwatch sensor snmp: " + describe(o));
      }
      shutdown.closeAll();
      ctx.err().flush();
      return outcomes.stream().allMatch(SnmpSensor.Outcome::ok) ? ExitCode.OK : ExitCode.SOFTWARE;
    }
    shutdown.register("SNMP sensor", SnmpSensor.start(snmp, publisher, Clock.systemUTC()));
    ctx.err()
        .printf(
            "labwatch sensor snmp: polling %s every %s, %s; Ctrl-C stops.%n",
            devices(snmp), io.labwatch.app.config.Durations.format(snmp.interval()), to);
    ctx.err().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }

  /** {@code 10.77.0.1 (v2c), core-sw (10.77.0.2:161, v3 authPriv)}. */
  static String devices(SnmpSensorConfig snmp) {
    return snmp.resolved().stream()
        .map(
            d ->
                d.name()
                    + " ("
                    + (d.name().equals(d.address()) || (d.name() + ":161").equals(d.address())
                        ? ""
                        : d.address() + ", ")
                    + d.version().text()
                    + (d.version() == SnmpSensorConfig.Version.V3 ? " " + d.securityLevel() : "")
                    + ")")
        .collect(Collectors.joining(", "));
  }

  /** One device's poll in one line: what it gave, or what went wrong. */
  static String describe(SnmpSensor.Outcome o) {
    StringBuilder sb = new StringBuilder(o.device());
    if (!(o.device() + ":161").equals(o.address()) && !o.device().equals(o.address())) {
      sb.append(" (").append(o.address()).append(')');
    }
    sb.append(": ");
    if (o.arpEntries() < 0 && o.interfaces() < 0) {
      return sb.append(o.problem()).toString();
    }
    List<String> parts = new java.util.ArrayList<>();
    if (o.arpEntries() >= 0) {
      parts.add(o.arpEntries() + " ARP " + (o.arpEntries() == 1 ? "entry" : "entries"));
    }
    if (o.interfaces() >= 0) {
      parts.add(o.interfaces() + " interface" + (o.interfaces() == 1 ? "" : "s"));
    }
    sb.append(String.join(", ", parts))
        .append(" in ")
        .append(o.requests())
        .append(o.requests() == 1 ? " request, " : " requests, ")
        .append(o.took().toMillis())
        .append(" ms");
    if (o.problem() != null) {
      sb.append("; ").append(o.problem());
    }
    return sb.toString();
  }

  /** The first line of a secret's file; its content is never repeated in an error. */
  private static String secretFile(Path file) {
    if (file == null) {
      return null;
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String first = text.lines().findFirst().orElse("");
      if (first.isEmpty()) {
        throw new LabwatchException(file + " is empty: the secret is its first line");
      }
      return first;
    } catch (IOException e) {
      throw new LabwatchException(
          "cannot read "
              + file
              + " ("
              + (e instanceof java.nio.file.NoSuchFileException
                  ? "no such file"
                  : e instanceof java.nio.file.AccessDeniedException
                      ? "permission denied"
                      : e.getClass().getSimpleName())
              + ")");
    }
  }

  private EventPublisher publisher(LabwatchConfig config, CliContext ctx) {
    if (stdout) {
      return new StdoutEventPublisher(ctx.out());
    }
    String bootstrap = config.bootstrapServers();
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      new TopicManager(admin)
          .ensure(
              List.of(config.catalogue().arp(), config.catalogue().snmp()),
              config.topics().replicationFactor());
    }
    try {
      return new KafkaEventPublisher(
          config.catalogue().arp(), config.catalogue().snmp(), config.kafkaClientProperties());
    } catch (KafkaException e) {
      throw KafkaAccess.explainClientConfig(e, bootstrap);
    }
  }
}
