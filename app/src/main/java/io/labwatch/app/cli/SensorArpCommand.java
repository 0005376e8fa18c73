package io.labwatch.app.cli;

import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.arp.ArpSensor;
import io.labwatch.producers.arp.ArpSensorConfig;
import io.labwatch.producers.arp.Interfaces;
import io.labwatch.producers.arp.PcapReplay;
import io.labwatch.producers.arp.ProbeRequestReader;
import io.labwatch.producers.arp.ProbeRequestSource;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.publish.KafkaEventPublisher;
import io.labwatch.producers.publish.StdoutEventPublisher;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch sensor arp}: capture ARP and neighbour discovery, live or from a file. */
@Command(
    name = "arp",
    mixinStandardHelpOptions = true,
    description = {
      "Capture ARP and IPv6 neighbour discovery and publish every observation to labwatch.arp"
          + " (key: the IP it is about; timestamp: the capture time), with a heartbeat per"
          + " interface every 10 s.",
      "",
      "Live capture needs root or CAP_NET_RAW and libpcap (Debian: libpcap0.8). Promiscuous mode"
          + " is on, to see unicast replies on a mirror port or bridge.",
      "",
      "--pcap FILE publishes a capture file (pcap or pcapng) with its original timestamps, then"
          + " prints a summary and exits. --stdout prints JSON lines instead of publishing. A"
          + " capture older than labwatch.arp's retention is refused (the broker would delete it"
          + " unread): `labwatch analyze FILE` runs the detection over it offline. Packets stamped"
          + " out of range (1970 from a board without a clock, ahead of now) are skipped and"
          + " counted.",
      "",
      "--probe SENDS PACKETS: an ARP request for each listed IP every --probe-interval, so that"
          + " two devices claiming one address both answer, even on a switched network.",
      "",
      "A live sensor also SENDS ARP REQUESTS TO CONFIRM SUSPECTED CONFLICTS: when the detection"
          + " asks (labwatch.probe-requests), it asks twice for the IP from the capture interface's"
          + " address in that subnet (or as an RFC 5227 probe from 0.0.0.0 on an interface without"
          + " IPv4), at most once per IP per 10 s and 5 times a second, and publishes who answered."
          + " --no-confirm (sensor.arp.confirm.enabled: false) switches it off; --pcap and"
          + " --stdout never probe.",
      "",
      "Examples:",
      "  labwatch sensor arp --iface eth0",
      "  labwatch sensor arp --pcap incident.pcapng --stdout",
      "  labwatch sensor arp --iface eth0 --probe 10.77.0.10,10.77.0.1"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.PCAP_UNDELIVERED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class SensorArpCommand implements Callable<Integer> {

  @ParentCommand SensorCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = {"-i", "--iface"},
      paramLabel = "NAME",
      split = ",",
      description =
          "Interface to capture on; repeat for more (sensor.arp.interfaces). Default: the"
              + " interface of the default route.")
  List<String> interfaces;

  @Option(
      names = "--no-promisc",
      description = "Do not put the interface in promiscuous mode (sensor.arp.promiscuous).")
  boolean noPromisc;

  @Option(
      names = "--sensor-id",
      paramLabel = "ID",
      description = "The sensor's name (sensor.arp.sensorId). Default: <host name>-<interface>.")
  String sensorId;

  @Option(
      names = "--segment",
      paramLabel = "NAME",
      description =
          "The network segment (broadcast domain) of the untagged frames captured, for a sensor on"
              + " an access port of a VLAN other than the lab's default one: lab-b, or vlan20 to"
              + " meet a trunk sensor's frames tagged with VLAN 20 (sensor.arp.segment). The same"
              + " IP in two segments is two devices, not a conflict. Tagged frames are in their"
              + " VLAN's segment regardless. The sensor answers the confirmation requests of its"
              + " segment only. Default: none (the default segment).")
  String segment;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      description = "How often to send a heartbeat (sensor.arp.heartbeatInterval). Default: 10s.")
  String heartbeatInterval;

  @Option(
      names = "--probe",
      paramLabel = "IP[,IP...]",
      description =
          "Actively ask for these IPs (sends ARP requests; sensor.arp.probe.targets). Each must"
              + " be in the capture interface's subnet.")
  String probe;

  @Option(
      names = "--probe-interval",
      paramLabel = "DURATION",
      description =
          "How often each probe target is asked for (sensor.arp.probe.interval). Default: 30s.")
  String probeInterval;

  @Option(
      names = "--no-confirm",
      description =
          "Do not send ARP requests to confirm the detection's suspected conflicts"
              + " (sensor.arp.confirm.enabled: false).")
  boolean noConfirm;

  @Option(
      names = "--pcap",
      paramLabel = "FILE",
      description = "Read this capture file (pcap or pcapng) instead of capturing live.")
  Path pcap;

  @Option(
      names = "--stdout",
      description = "Print observations as JSON lines instead of publishing.")
  boolean stdout;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides()
            .add(
                "sensor.arp.interfaces",
                interfaces == null ? null : String.join(",", interfaces),
                "--iface")
            .add("sensor.arp.promiscuous", noPromisc ? "false" : null, "--no-promisc")
            .add("sensor.arp.sensorId", sensorId, "--sensor-id")
            .add("sensor.arp.segment", segment, "--segment")
            .add("sensor.arp.heartbeatInterval", heartbeatInterval, "--heartbeat-interval")
            .add("sensor.arp.probe.targets", probe, "--probe")
            .add("sensor.arp.probe.interval", probeInterval, "--probe-interval")
            .add("sensor.arp.confirm.enabled", noConfirm ? "false" : null, "--no-confirm");
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    ArpSensorConfig arp = config.sensor().arp();
    if (pcap != null && arp.probe().enabled()) {
      throw new LabwatchException(
          "--probe sends packets on a live interface; it cannot go with --pcap");
    }

    Shutdown shutdown = ctx.shutdown();
    if (pcap != null) {
      return replay(ctx, config, arp, shutdown);
    }
    EventPublisher publisher = shutdown.register("publisher", publisher(config, ctx, false));
    // printing to stdout has no broker to hear requests from, nor to tell who answered
    ProbeRequestSource requests =
        stdout
            ? null
            : ProbeRequestReader.source(
                config.catalogue().probeRequests(), config.kafkaClientProperties());
    ArpSensor sensor =
        shutdown.register(
            "ARP sensor", ArpSensor.start(arp, publisher, Clock.systemUTC(), requests));
    ctx.err()
        .printf(
            "labwatch sensor arp: capturing on %s as %s, %s%s; Ctrl-C stops.%n",
            String.join(", ", sensor.interfaces()),
            String.join(", ", sensor.sensorIds()),
            stdout
                ? "printing JSON lines"
                : "publishing to "
                    + config.catalogue().arp().name()
                    + " at "
                    + config.bootstrapServers(),
            sensor.confirms()
                ? "; sends ARP requests to confirm suspected conflicts (--no-confirm: never)"
                : "");
    ctx.err().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }

  /**
   * {@code --pcap}: what the broker would delete before the detection reads it is refused up front
   * (the topic's retention counts from the record's time, the capture time), and so is what it
   * would refuse (stamped ahead of now); Ctrl-C ends the replay between packets.
   */
  private int replay(CliContext ctx, LabwatchConfig config, ArpSensorConfig arp, Shutdown shutdown)
      throws InterruptedException {
    Instant notBefore = PcapReplay.PLAUSIBLE_FROM;
    Instant notAfter = PcapReplay.PLAUSIBLE_UNTIL;
    if (!stdout) {
      Instant now = Instant.now();
      Duration retention = config.catalogue().arp().retention();
      notBefore = now.minus(retention).plus(RETENTION_MARGIN);
      notAfter = now.plus(AHEAD_MARGIN);
      Instant first =
          PcapReplay.firstTimestamp(pcap, PcapReplay.PLAUSIBLE_FROM, PcapReplay.PLAUSIBLE_UNTIL);
      if (first != null && first.isBefore(notBefore)) {
        throw new LabwatchException(
            pcap
                + " was captured at "
                + first
                + ", longer ago than "
                + config.catalogue().arp().name()
                + " keeps records ("
                + retention.toDays()
                + " days, counted from the capture time): the broker would delete it before the"
                + " detection read it. `labwatch analyze "
                + pcap
                + "` runs the same detection over it offline.");
      }
    }
    PcapReplay.Options options =
        new PcapReplay.Options(notBefore, notAfter, shutdown::isStopRequested)
            .withSegment(arp.segment());
    EventPublisher publisher = publisher(config, ctx, true);
    CountDownLatch done = new CountDownLatch(1);
    // closed first on Ctrl-C: lets the replay end between packets — or, when it is stuck on a
    // broker that is gone, closes the publisher under it — then the publisher
    shutdown.register("publisher", publisher);
    shutdown.register(
        "replay",
        () -> {
          if (!done.await(2, TimeUnit.SECONDS)) {
            publisher.closeNow();
            done.await(10, TimeUnit.SECONDS);
          }
        });
    String id = arp.sensorId().isEmpty() ? Interfaces.hostName() + "-pcap" : arp.sensorId();
    PcapReplay.Summary summary;
    try {
      summary = PcapReplay.replay(pcap, id, arp.heartbeatInterval(), publisher, options);
    } finally {
      done.countDown();
    }
    PrintWriter where = stdout ? ctx.err() : ctx.out();
    where.println(summary.line(stdout ? "printed" : "published"));
    where.flush();
    shutdown.closeAll();
    return summary.incomplete() ? ExitCode.SOFTWARE : ExitCode.OK;
  }

  /** A replayed record must outlive the time the detection needs to read it. */
  static final Duration RETENTION_MARGIN = Duration.ofDays(1);

  /** The broker refuses records stamped more than an hour ahead of its clock. */
  static final Duration AHEAD_MARGIN = Duration.ofMinutes(30);

  private EventPublisher publisher(LabwatchConfig config, CliContext ctx, boolean replay) {
    if (stdout) {
      return new StdoutEventPublisher(ctx.out());
    }
    String bootstrap = config.bootstrapServers();
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      new TopicManager(admin)
          .ensure(
              replay
                  ? List.of(config.catalogue().arp())
                  : List.of(config.catalogue().arp(), config.catalogue().probeRequests()),
              config.topics().replicationFactor());
    }
    try {
      return replay
          ? KafkaEventPublisher.forReplay(config.catalogue().arp(), config.kafkaClientProperties())
          : new KafkaEventPublisher(config.catalogue().arp(), config.kafkaClientProperties());
    } catch (KafkaException e) {
      throw KafkaAccess.explainClientConfig(e, bootstrap);
    }
  }
}
