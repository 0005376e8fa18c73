package io.labwatch.app.cli;

import io.labwatch.app.config.Durations;
import io.labwatch.app.config.LabwatchConfig;
import io.labwatch.app.kafka.KafkaAccess;
import io.labwatch.app.kafka.TopicManager;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.Vendors;
import io.labwatch.producers.host.HostSensor;
import io.labwatch.producers.host.HostSensorConfig;
import io.labwatch.producers.host.probe.ProbeScheduler;
import io.labwatch.producers.host.probe.ProbeSpec;
import io.labwatch.producers.host.probe.Probes;
import io.labwatch.producers.publish.EventPublisher;
import io.labwatch.producers.publish.KafkaEventPublisher;
import io.labwatch.producers.publish.StdoutEventPublisher;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code labwatch sensor host}: this server's own metrics into {@code labwatch.host}. */
@Command(
    name = "host",
    mixinStandardHelpOptions = true,
    description = {
      "Sample this server's own metrics every 10 s into labwatch.host, keyed by its host name:"
          + " CPU utilisation (total and per core: user, system, iowait, steal), load averages,"
          + " memory and swap, per-disk IO, file system space, per-interface bytes, packets,"
          + " errors and drops, the kernel's TCP retransmits and listen-queue overflows, the"
          + " process count and uptime (OSHI), and NVIDIA GPUs (utilisation, memory, temperature,"
          + " power, ECC errors) when nvidia-smi is installed. Counters are published raw, as"
          + " the kernel keeps them; rates are the detection's job. A heartbeat every 10 s.",
      "",
      "A metric this host cannot give (no swap, no GPU, a /proc file missing in a container) is"
          + " left out with one log line, said once. labwatch run samples its own box already"
          + " (sensor.host.enabled); run this on each other server to watch.",
      "",
      "--once takes one sample (two readings 1 s apart, for the CPU utilisation), prints a"
          + " summary line on stderr and exits. --stdout prints JSON lines instead of publishing.",
      "",
      "Examples:",
      "  labwatch sensor host --once --stdout",
      "  labwatch sensor host --bootstrap-servers kafka.lab:9092 --interval 30s"
    },
    exitCodeListHeading = ExitCodes.HEADING,
    exitCodeList = {
      ExitCodes.DONE,
      ExitCodes.FAILED,
      ExitCodes.USAGE,
      ExitCodes.INTERRUPTED,
      ExitCodes.TERMINATED
    })
final class SensorHostCommand implements Callable<Integer> {

  @ParentCommand SensorCommand parent;
  @Mixin CommonOptions common;
  @Mixin KafkaOptions kafka;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      description = "How often a sample is taken (sensor.host.interval). Default: 10s.")
  String interval;

  @Option(
      names = "--host-name",
      paramLabel = "NAME",
      description =
          "The name samples carry: their key and sensor id (sensor.host.hostName). Default: the"
              + " kernel's host name.")
  String hostName;

  @Option(
      names = "--no-gpus",
      description = "Do not run nvidia-smi for GPU metrics (sensor.host.gpus: false).")
  boolean noGpus;

  @Option(names = "--once", description = "Take one sample, then exit.")
  boolean once;

  @Option(names = "--stdout", description = "Print samples as JSON lines instead of publishing.")
  boolean stdout;

  @Option(
      names = "--probe",
      paramLabel = "URI",
      split = ",",
      description =
          "Probe a service or host beside the samples (sensor.host.probes), every 10 s unless the"
              + " URI says: tcp://HOST:PORT (a connect, e.g. ssh: tcp://10.77.0.10:22),"
              + " icmp://HOST (one ping), arp://IPV4 (an ARP request: every MAC that answers;"
              + " needs root). Options: ?interval=5s&timeout=1s (default timeout 2s). Each result"
              + " says ok or how it failed (TIMEOUT, REFUSED, UNREACHABLE, …), its latency, and the"
              + " MAC the target's IP resolved to at that moment. Repeat, or separate by commas.")
  List<String> probes;

  @Override
  public Integer call() throws Exception {
    CliContext ctx = parent.labwatch.context();
    CommonOptions.Overrides overrides =
        new CommonOptions.Overrides()
            .add("sensor.host.interval", interval, "--interval")
            .add("sensor.host.hostName", hostName, "--host-name")
            .add("sensor.host.gpus", noGpus ? "false" : null, "--no-gpus")
            .add("sensor.host.probes", probes == null ? null : String.join(",", probes), "--probe");
    kafka.addTo(overrides);
    LabwatchConfig config = parent.labwatch.loadConfig(common, overrides).config();
    HostSensorConfig host = config.sensor().host();
    Shutdown shutdown = ctx.shutdown();
    EventPublisher publisher = shutdown.register("publisher", publisher(config, ctx));
    List<ProbeSpec> specs = host.probeSpecs();
    if (once) {
      HostMetrics m = HostSensor.sampleOnce(host, publisher, Clock.systemUTC());
      List<ProbeResult> results = new ArrayList<>();
      if (!specs.isEmpty()) {
        Probes prober = Probes.system(m.sensorId());
        for (ProbeSpec p : specs) {
          ProbeResult r = prober.run(p);
          publisher.probeResult(r);
          results.add(r);
        }
      }
      shutdown.closeAll();
      ctx.err().println("labwatch sensor host: " + summary(m));
      results.forEach(r -> ctx.err().println("labwatch sensor host: probe " + summary(r)));
      ctx.err().flush();
      return ExitCode.OK;
    }
    HostSensor sensor =
        shutdown.register("host sensor", HostSensor.start(host, publisher, Clock.systemUTC()));
    if (!specs.isEmpty()) {
      ProbeScheduler probes =
          shutdown.register(
              "probes",
              ProbeScheduler.start(
                  specs, Probes.system(sensor.sensorId()), publisher::probeResult));
      sensor.alsoReporting(probes::problem); // labwatch status shows a stopped target
    }
    ctx.err()
        .printf(
            "labwatch sensor host: sampling %s every %s%s, %s; Ctrl-C stops.%n",
            sensor.sensorId(),
            Durations.format(host.interval()),
            specs.isEmpty()
                ? ""
                : ", probing " + specs.size() + " target" + (specs.size() == 1 ? "" : "s"),
            stdout
                ? "printing JSON lines"
                : "publishing to "
                    + config.catalogue().host().name()
                    + " at "
                    + config.bootstrapServers());
    ctx.err().flush();
    shutdown.awaitStopRequest();
    shutdown.closeAll();
    return ExitCode.OK;
  }

  /** One sample in one line: {@code yamato: cpu 12% busy, load 0.52 0.40 0.33, ...}. */
  static String summary(HostMetrics m) {
    List<String> parts = new ArrayList<>();
    if (m.cpu() != null) {
      parts.add(
          String.format(
              Locale.ROOT,
              "cpu %.0f%% busy (%d cores)",
              m.cpu().total().busy() * 100,
              m.cpu().cores().size()));
    }
    if (m.load() != null) {
      parts.add(
          String.format(
              Locale.ROOT,
              "load %.2f %.2f %.2f",
              m.load().one(),
              m.load().five(),
              m.load().fifteen()));
    }
    if (m.memory() != null) {
      parts.add(
          String.format(
              Locale.ROOT,
              "memory %.1f of %.1f GiB available",
              m.memory().availableBytes() / GIB,
              m.memory().totalBytes() / GIB));
    }
    parts.add(count(m.disks().size(), "disk"));
    parts.add(count(m.fileSystems().size(), "file system"));
    parts.add(count(m.interfaces().size(), "interface"));
    parts.add(count(m.gpus().size(), "GPU"));
    return m.sensorId() + ": " + String.join(", ", parts);
  }

  /** One probe's result in one line: {@code tcp://10.77.0.10:22 REFUSED after 0.2 ms, MAC ...}. */
  static String summary(ProbeResult r) {
    String how =
        r.ok()
            ? String.format(Locale.ROOT, "ok in %.1f ms", r.latencyUs() / 1000.0)
            : String.format(
                Locale.ROOT,
                "%s after %.1f ms%s",
                r.error(),
                r.latencyUs() / 1000.0,
                r.errorText() == null ? "" : " (" + r.errorText() + ")");
    String mac =
        r.mac() == null
            ? "no MAC known for it"
            : "answered by " + r.mac() + " (" + Vendors.describe(r.mac()) + ")";
    return r.target() + " " + how + ", " + mac;
  }

  private static final double GIB = 1024.0 * 1024 * 1024;

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** How long the agent's producer gathers records into one request. */
  static final int LINGER_MS = 1000;

  private EventPublisher publisher(LabwatchConfig config, CliContext ctx) {
    if (stdout) {
      return new StdoutEventPublisher(ctx.out());
    }
    String bootstrap = config.bootstrapServers();
    try (Admin admin = KafkaAccess.connectedAdmin(config.kafkaClientProperties())) {
      new TopicManager(admin)
          .ensure(List.of(config.catalogue().host()), config.topics().replicationFactor());
    }
    Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
    // its records are not urgent (a sample every 10 s, probes every 10 s): one produce request a
    // second at most instead of one per record; kafka.linger.ms in the config overrides it
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    try {
      return new KafkaEventPublisher(config.catalogue().host(), props);
    } catch (KafkaException e) {
      throw KafkaAccess.explainClientConfig(e, bootstrap);
    }
  }
}
