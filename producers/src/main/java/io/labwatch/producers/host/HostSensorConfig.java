package io.labwatch.producers.host;

import io.labwatch.events.LabwatchException;
import io.labwatch.producers.arp.Interfaces;
import io.labwatch.producers.host.probe.ProbeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The host sensor's settings ({@code sensor.host.*}).
 *
 * @param enabled whether {@code labwatch run} samples its own box
 * @param hostName the name the samples carry (their key and sensor id); empty for the kernel's host
 *     name
 * @param interval how often a sample is taken and published
 * @param heartbeatInterval a heartbeat this often
 * @param gpus whether NVIDIA GPUs are read with {@code nvidia-smi} when it is there
 * @param nvidiaSmi the {@code nvidia-smi} command: a name looked up on the PATH, or a path
 * @param nvidiaSmiTimeout how long {@code nvidia-smi} may take before it is killed (a hung driver
 *     makes it hang)
 * @param probes reachability probes to run beside the samples, as URIs ({@code tcp://HOST:PORT},
 *     {@code icmp://HOST}, {@code arp://IPV4}, each with optional {@code ?interval=…&timeout=…};
 *     see {@link ProbeSpec}); checked when the settings are made, so a bad one is refused by name
 */
public record HostSensorConfig(
    boolean enabled,
    String hostName,
    Duration interval,
    Duration heartbeatInterval,
    boolean gpus,
    String nvidiaSmi,
    Duration nvidiaSmiTimeout,
    List<String> probes) {

  /** What ships: on, the kernel's host name, a sample every 10 s, GPUs when nvidia-smi is there. */
  public static HostSensorConfig defaults() {
    return new HostSensorConfig(
        true,
        "",
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        true,
        "nvidia-smi",
        Duration.ofSeconds(5),
        List.of());
  }

  public HostSensorConfig {
    hostName = hostName == null ? "" : hostName.trim();
    if (hostName.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException(
          "hostName: must not contain spaces or control characters, got '" + hostName + "'");
    }
    if (hostName.length() > 255) {
      throw new IllegalArgumentException("hostName: must be at most 255 characters");
    }
    interval = between(interval, Duration.ofSeconds(1), Duration.ofHours(1), "interval");
    heartbeatInterval =
        between(
            heartbeatInterval, Duration.ofMillis(100), Duration.ofHours(1), "heartbeatInterval");
    nvidiaSmi = nvidiaSmi == null || nvidiaSmi.isBlank() ? "nvidia-smi" : nvidiaSmi.trim();
    nvidiaSmiTimeout =
        between(
            nvidiaSmiTimeout, Duration.ofMillis(100), Duration.ofMinutes(1), "nvidiaSmiTimeout");
    probes = probes == null ? List.of() : List.copyOf(probes);
    for (String p : probes) {
      try {
        ProbeSpec.parse(p);
      } catch (LabwatchException e) {
        throw new IllegalArgumentException("probes: " + e.getMessage(), e);
      }
    }
  }

  /** The probes, parsed. */
  public List<ProbeSpec> probeSpecs() {
    return probes.stream().map(ProbeSpec::parse).toList();
  }

  /** The name samples carry: {@link #hostName()}, else the kernel's host name. */
  public String resolvedHostName() {
    return hostName.isEmpty() ? Interfaces.hostName() : hostName;
  }

  /** These settings with another interval. */
  public HostSensorConfig withInterval(Duration every) {
    return new HostSensorConfig(
        enabled, hostName, every, heartbeatInterval, gpus, nvidiaSmi, nvidiaSmiTimeout, probes);
  }

  /** These settings with other probes. */
  public HostSensorConfig withProbes(List<String> specs) {
    return new HostSensorConfig(
        enabled, hostName, interval, heartbeatInterval, gpus, nvidiaSmi, nvidiaSmiTimeout, specs);
  }

  private static Duration between(Duration d, Duration min, Duration max, String key) {
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key
              + ": must be between "
              + min.toString().substring(2).toLowerCase(Locale.ROOT)
              + " and "
              + max.toString().substring(2).toLowerCase(Locale.ROOT)
              + ", got "
              + (d == null ? "nothing" : d.toString().substring(2).toLowerCase(Locale.ROOT)));
    }
    return d;
  }
}
