package io.labwatch.app.cli;

import io.labwatch.app.broker.DiskGuard;
import io.labwatch.app.broker.EmbeddedBroker;
import io.labwatch.app.config.ConfigLoader;
import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.detect.Detection;
import io.labwatch.app.kafka.InventoryWriter;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.app.logging.Journal;
import io.labwatch.app.report.ReportHandler;
import io.labwatch.events.LabwatchException;
import io.labwatch.producers.arp.ArpSensor;
import io.labwatch.producers.arp.ProbeRequestReader;
import io.labwatch.producers.host.HostSensor;
import io.labwatch.producers.host.HostSensorConfig;
import io.labwatch.producers.host.probe.ProbeScheduler;
import io.labwatch.producers.host.probe.Probes;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.publish.KafkaEventPublisher;
import io.labwatch.producers.snmp.SnmpSensor;
import io.labwatch.producers.snmp.SnmpSensorConfig;
import io.labwatch.sinks.ConsoleSink;
import io.labwatch.sinks.Health;
import io.labwatch.sinks.prometheus.LabwatchMetrics;
import io.labwatch.sinks.prometheus.MetricsConfig;
import io.labwatch.sinks.prometheus.PrometheusSink;
import io.labwatch.sinks.slack.SlackConfig;
import io.labwatch.sinks.slack.SlackSink;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code labwatch run}: the whole pipeline in one JVM — the embedded broker (unless an external
 * cluster is configured), the topics, the sinks (Slack or the console, and Prometheus), the
 * detection, the ARP sensor, the host sensor (this box's own metrics), and the SNMP sensor when
 * devices are configured. Parts are stopped in reverse: the sensors first, the broker last.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run labwatch on this box until Ctrl-C or SIGTERM: an embedded Kafka broker (unless"
          + " --bootstrap-servers points at a cluster), labwatch's topics, the detection, and the ARP"
          + " sensor on the default route's interface (or --iface). Alerts go to Slack when"
          + " slack.webhookUrl or slack.botToken is set, else they are printed here; /metrics for"
          + " Prometheus is served on 0.0.0.0:9464 (--metrics-listen).",
      "",
      "Capturing needs root or CAP_NET_RAW; without it labwatch says how to grant it and runs the"
          + " rest (--no-capture does so on purpose, for a box where sensors run elsewhere).",
      "The sensor SENDS ARP REQUESTS TO CONFIRM SUSPECTED CONFLICTS: for an IP the detection"
          + " suspects, two requests a second apart from the capture interface's address in that"
          + " subnet (at most once per IP per 10 s, 5 a second); --no-confirm"
          + " (sensor.arp.confirm.enabled: false) switches it off.",
      "With devices under sensor.snmp.devices, the SNMP sensor polls their ARP tables and"
          + " interface counters too (see labwatch sensor snmp --help).",
      "The host sensor samples this box's own CPU, memory, disks, network, TCP and GPU metrics"
          + " into labwatch.host every 10 s (see labwatch sensor host --help);"
          + " sensor.host.enabled: false switches it off.",
      "History is kept in the data dir and survives restarts."
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class RunCommand implements Callable<Integer> {

  /** How often the disk guard reads the data dir's free space. */
  static final long DISK_CHECK_MILLIS = 1000;

  @ParentCommand Labwatch parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where to keep data (dataDir). Default: " + LabwatchConfig.DEFAULT_DATA_DIR + ".")
  Path dataDir;

  @Option(
      names = "--broker-port",
      paramLabel = "N",
      description =
          "Port of the embedded broker (broker.port); 0 picks a free one. Default: "
              + LabwatchConfig.Broker.DEFAULT_PORT
              + ".")
  Integer brokerPort;

  @Option(
      names = {"-i", "--iface"},
      paramLabel = "NAME",
      split = ",",
      description =
          "Interface(s) to capture on (sensor.arp.interfaces). Default: the default route's.")
  List<String> interfaces;

  @Option(
      names = "--no-capture",
      description = "Run without the ARP sensor (sensors run elsewhere).")
  boolean noCapture;

  @Option(
      names = "--metrics-listen",
      paramLabel = "HOST:PORT",
      description =
          "Where /metrics and /-/healthy listen (metrics.listen); port 0 picks a free one."
              + " Default: "
              + MetricsConfig.DEFAULT_LISTEN
              + ".")
  String metricsListen;

  @Option(
      names = "--probe",
      paramLabel = "IP[,IP...]",
      description = "Actively probe these IPs (sends ARP requests; sensor.arp.probe.targets).")
  String probe;

  @Option(
      names = "--no-confirm",
      description =
          "Do not send ARP requests to confirm suspected conflicts"
              + " (sensor.arp.confirm.enabled: false).")
  boolean noConfirm;

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    CliContext ctx = parent.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides()
            .add("dataDir", dataDir, "--data-dir")
            .add("broker.port", brokerPort, "--broker-port")
            .add(
                "sensor.arp.interfaces",
                interfaces == null ? null : String.join(",", interfaces),
                "--iface")
            .add("sensor.arp.probe.targets", probe, "--probe")
            .add("sensor.arp.confirm.enabled", noConfirm ? "false" : null, "--no-confirm")
            .add("metrics.listen", metricsListen, "--metrics-listen");
    kafka.addTo(overrides);
    ConfigLoader.Loaded loaded = parent.loadConfig(common, overrides);
    LabwatchConfig config = loaded.config();
    Shutdown shutdown = ctx.shutdown();
    PrintWriter out = ctx.out();
    // on a terminal, the first thing a user reads, before the parts' own log lines while they
    // start (elsewhere — a pipe, the journal — a start that fails stays one line, on stderr)
    if (Terminal.stdout()) {
      out.printf(
          "labwatch %s starting; a summary follows when every part is up%n", CliText.version());
      out.flush();
    }

    // The detection is built on a thread of its own while the broker starts (its topology needs no
    // broker: Kafka Streams' classes load meanwhile) and the topics and sinks are made (its Kafka
    // clients, once the broker's address is known); it is started only after the sinks, below.
    CompletableFuture<String> detectionBootstrap = new CompletableFuture<>();
    FutureTask<Detection> detectionBuild =
        new FutureTask<>(
            () -> {
              Topology topology = Detection.topology(config);
              // a failure is said on the console by the health watch, like any part's
              return Detection.create(config, detectionBootstrap.get(), 0, topology, why -> {});
            });
    Thread builder = new Thread(detectionBuild, "labwatch-detection-build");
    builder.setDaemon(true);
    builder.start();

    Health health = new Health();
    String bootstrap;
    String brokerLine;
    // with the embedded broker the data dir holds Kafka's log: a full disk must not end labwatch
    DiskGuard disk = null;
    if (config.externalBootstrapServers().isPresent()) {
      bootstrap = config.externalBootstrapServers().get();
      brokerLine = bootstrap + " (external cluster)";
    } else {
      EmbeddedBroker broker =
          shutdown.register(
              "embedded broker",
              EmbeddedBroker.start(
                      config.dataDir(),
                      config.broker().host(),
                      config.broker().advertisedHost(),
                      config.broker().port(),
                      config.broker().diskReserveBytes(),
                      config.broker().quorum())
                  .surviveKafkaHalts());
      bootstrap = broker.bootstrapServers();
      DiskGuard guard =
          shutdown.register(
              "disk guard",
              DiskGuard.start(broker, config.broker().diskReserveBytes(), DISK_CHECK_MILLIS));
      disk = guard;
      health.register(
          "broker",
          () -> {
            String full = guard.problem();
            return full != null ? full : broker.problem();
          });
      brokerLine =
          bootstrap
              + " (embedded; data in "
              + broker.logDir()
              + (broker.formattedNow() ? ", new)" : ")");
    }

    detectionBootstrap.complete(bootstrap);

    Pipeline.Prepared prepared = Pipeline.prepare(config, bootstrap);
    List<TopicManager.TopicState> topics = prepared.topics();
    InventoryWriter.Result inventory = prepared.inventory();

    // the sinks before the detection: a new sink starts at the topic's end as it is now, so it
    // sees every alert the detection raises; and it stops after the detection, draining it
    LabwatchMetrics metrics = new LabwatchMetrics(health);
    if (disk != null) {
      metrics.droppedObservations("disk_full", disk::dropped);
    }
    String alertsLine;
    if (config.slack().enabled()) {
      SlackSink slackSink =
          shutdown.register(
              "Slack sink",
              SlackSink.start(
                  config.slack(), config.catalogue(), config.kafkaClientProperties(bootstrap)));
      metrics.slack(slackSink);
      health.register("Slack sink", slackSink::problem);
      alertsLine =
          "to Slack ("
              + (config.slack().botMode()
                  ? "bot, " + config.slack().channel()
                  : "webhook " + SlackConfig.redact(config.slack().webhookUrl()))
              + ", "
              + config.slack().minSeverity().name().toLowerCase(java.util.Locale.ROOT)
              + " and above)";
    } else {
      shutdown.register(
          "console alerts",
          ConsoleSink.start(
              config.catalogue().alerts(),
              config.catalogue().silences(),
              config.kafkaClientProperties(bootstrap),
              out,
              Journal.alertPrefix()));
      alertsLine = "printed below as they happen (no Slack configured)";
    }
    PrometheusSink prometheus =
        shutdown.register(
            "Prometheus sink",
            PrometheusSink.start(
                config.metrics().sink(),
                config.catalogue(),
                config.kafkaClientProperties(bootstrap),
                metrics,
                health,
                Pipeline.lagGroups(config),
                new ReportHandler(config.kafkaClientProperties(bootstrap), config.catalogue())));

    Detection detection = shutdown.register("detection", built(detectionBuild));
    health.register("detection", detection::problem);
    if (disk != null) {
      disk.onChange(detection::paused);
    }
    // the sensors start while the detection joins its group and opens its stores (they publish to
    // the topics; the detection reads from where it left off, or from the start)
    detection.begin();
    String sensorLine;
    if (noCapture) {
      sensorLine = "off (--no-capture)";
    } else {
      EventPublisher kafkaPublisher =
          shutdown.register(
              "sensor publisher",
              new KafkaEventPublisher(
                  config.catalogue().arp(), config.kafkaClientProperties(bootstrap)));
      EventPublisher publisher = disk == null ? kafkaPublisher : disk.guard(kafkaPublisher);
      try {
        ArpSensor sensor =
            shutdown.register(
                "ARP sensor",
                ArpSensor.start(
                    config.sensor().arp(),
                    publisher,
                    Clock.systemUTC(),
                    ProbeRequestReader.source(
                        config.catalogue().probeRequests(),
                        config.kafkaClientProperties(bootstrap))));
        health.register("ARP sensor", sensor::problem);
        sensorLine =
            "capturing on "
                + String.join(", ", sensor.interfaces())
                + " as "
                + String.join(", ", sensor.sensorIds())
                + (config.sensor().arp().probe().enabled()
                    ? "; probing " + config.sensor().arp().probe().targets()
                    : "")
                + (sensor.confirms() ? "; confirms suspected conflicts by ARP requests" : "");
      } catch (LabwatchException e) {
        sensorLine = "NOT capturing: " + e.getMessage() + " (--no-capture runs without the sensor)";
        // configured and not working: unhealthy (/-/healthy 503, labwatch_part_up 0) while the
        // rest runs; --no-capture is the way to say there is no sensor here on purpose
        String problem = "not capturing: " + e.getMessage();
        health.register("ARP sensor", () -> problem);
      }
    }

    String snmpLine = null;
    SnmpSensorConfig snmp = config.sensor().snmp();
    if (snmp.enabled()) {
      EventPublisher kafkaPublisher =
          shutdown.register(
              "SNMP publisher",
              new KafkaEventPublisher(
                  config.catalogue().arp(),
                  config.catalogue().snmp(),
                  config.kafkaClientProperties(bootstrap)));
      EventPublisher publisher = disk == null ? kafkaPublisher : disk.guard(kafkaPublisher);
      try {
        SnmpSensor sensor =
            shutdown.register("SNMP sensor", SnmpSensor.start(snmp, publisher, Clock.systemUTC()));
        health.register("SNMP sensor", sensor::problem);
        snmpLine =
            "polling "
                + SensorSnmpCommand.devices(snmp)
                + " every "
                + io.labwatch.app.config.Durations.format(snmp.interval())
                + " (ARP tables -> "
                + config.catalogue().arp().name()
                + ", counters -> "
                + config.catalogue().snmp().name()
                + ")";
      } catch (LabwatchException e) {
        snmpLine = "NOT polling: " + e.getMessage();
      }
    }

    String hostLine = startHostSensor(config, bootstrap, disk, health, shutdown);
    detection.awaitRunning();

    out.printf("labwatch %s is running%n", CliText.version());
    out.printf("  broker   %s%n", brokerLine);
    out.printf(
        "  topics   %s%n",
        topics.stream()
            .map(t -> t.topic().name() + (t.createdNow() ? " (new)" : ""))
            .collect(Collectors.joining(", ")));
    out.printf("  sensor   %s%n", sensorLine);
    if (snmpLine != null) {
      out.printf("  snmp     %s%n", snmpLine);
    }
    out.printf("  host     %s%n", hostLine);
    out.printf(
        "  detect   %s -> %s; state in %s; %d protected address(es)%n",
        config.catalogue().arp().name(),
        config.catalogue().alerts().name(),
        config.dataDir().toAbsolutePath().resolve("streams"),
        config.detection().inventory().size());
    out.printf(
        "  metrics  %s; incident reports: /incidents/ID%n",
        CliText.metricsUrl(config.metrics().sink().host(), prometheus.port()));
    out.printf(
        "  config   %s%n",
        loaded.file().map(Path::toString).orElse("built-in defaults (no labwatch.yml)"));
    // the command to see every alert, as the person would type it here
    String where =
        bootstrap.equals(LabwatchConfig.defaults().broker().address())
            ? ""
            : " --bootstrap-servers " + bootstrap;
    out.printf(
        "  alerts   %s; all of them: labwatch tail alerts --from-beginning%s%n", alertsLine, where);
    out.printf("ready in %.1f s; Ctrl-C stops.%n", (System.nanoTime() - started) / 1e9);
    out.flush();
    if (inventory.written() + inventory.removed() > 0) {
      ctx.err()
          .printf("inventory: %d written, %d removed%n", inventory.written(), inventory.removed());
    }
    TopicsTable.warnDrifts(topics, ctx.err(), true);
    ctx.err().flush();
    shutdown.register("health watch", HealthWatch.start(health, ctx.err(), 2000));

    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }

  /** The detection {@code build} made, or the failure it ended with. */
  private static Detection built(FutureTask<Detection> build) throws Exception {
    try {
      return build.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** The host sensor on this box, unless switched off: the banner's line for it. */
  private static String startHostSensor(
      LabwatchConfig config, String bootstrap, DiskGuard disk, Health health, Shutdown shutdown) {
    HostSensorConfig host = config.sensor().host();
    if (!host.enabled()) {
      return "off (sensor.host.enabled: false)";
    }
    EventPublisher kafkaPublisher =
        shutdown.register(
            "host publisher",
            new KafkaEventPublisher(
                config.catalogue().host(), config.kafkaClientProperties(bootstrap)));
    EventPublisher publisher = disk == null ? kafkaPublisher : disk.guard(kafkaPublisher);
    try {
      HostSensor sensor =
          shutdown.register("host sensor", HostSensor.start(host, publisher, Clock.systemUTC()));
      health.register("host sensor", sensor::problem);
      String probing = "";
      if (!host.probes().isEmpty()) {
        try {
          ProbeScheduler probes =
              shutdown.register(
                  "probes",
                  ProbeScheduler.start(
                      host.probeSpecs(), Probes.system(sensor.sensorId()), publisher::probeResult));
          health.register("probes", probes::problem);
          sensor.alsoReporting(probes::problem); // labwatch status shows a stopped target
          probing = ", probing " + host.probes().size() + " target(s)";
        } catch (RuntimeException e) { // a target that does not resolve: said, the rest runs
          probing = ", NOT probing: " + e.getMessage();
        }
      }
      return "sampling "
          + sensor.sensorId()
          + " every "
          + io.labwatch.app.config.Durations.format(host.interval())
          + probing
          + " -> "
          + config.catalogue().host().name();
    } catch (RuntimeException e) {
      // the sampler guards each metric; this is OSHI failing as a whole, never a reason to stop
      return "NOT sampling this box: " + e.getMessage();
    }
  }
}
