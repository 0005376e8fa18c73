package io.labwatch.producers.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.producers.testing.RecordingPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sensor's loop on this machine, publishing to a recording publisher. */
class HostSensorTest {

  private static final HostSensorConfig CONFIG =
      new HostSensorConfig(
          true,
          "lab-host",
          Duration.ofSeconds(1),
          Duration.ofMillis(100),
          false,
          "nvidia-smi",
          Duration.ofSeconds(5),
          List.of());

  @BeforeAll
  static void linuxOnly() {
    assumeTrue(Files.isReadable(Path.of("/proc/stat")), "reads the kernel's /proc (Linux)");
  }

  @Test
  void samplesEveryIntervalWithCpuUnderItsHostNameAndSendsHeartbeats() {
    RecordingPublisher published = new RecordingPublisher();
    List<HostMetrics> samples;
    try (HostSensor sensor = HostSensor.start(CONFIG, published, Clock.systemUTC())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> published.hostMetrics.size() >= 2 && published.heartbeats.size() >= 2);
      assertThat(sensor.sensorId()).isEqualTo("lab-host");
      assertThat(sensor.problem()).isNull();
      samples = List.copyOf(published.hostMetrics);
    }
    int after = published.hostMetrics.size();

    assertThat(samples)
        .allSatisfy(
            m -> {
              assertThat(m.sensorId()).isEqualTo("lab-host");
              assertThat(m.cpu()).as("every sample, the first too, has a CPU window").isNotNull();
              assertThat(m.memory()).isNotNull();
            });
    assertThat(samples.get(1).eventTime()).isAfter(samples.get(0).eventTime());
    Heartbeat hb = published.heartbeats.get(0);
    assertThat(hb.sensorId()).isEqualTo("lab-host");
    assertThat(hb.intervalMs()).isEqualTo(100);
    assertThat(hb.problem()).isNull();
    assertThat(published.flushed).as("close delivers what was published").isTrue();
    assertThat(published.hostMetrics).as("nothing after close").hasSize(after);
  }

  @Test
  void heartbeatsCarryTheProbesProblemOnceATargetHasStopped() {
    RecordingPublisher published = new RecordingPublisher();
    java.util.concurrent.atomic.AtomicReference<String> probes =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (HostSensor sensor =
        HostSensor.start(CONFIG, published, Clock.systemUTC()).alsoReporting(probes::get)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> published.heartbeats.size() >= 1);
      probes.set("probes stopped: ARP probes cannot run: no CAP_NET_RAW");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  published.heartbeats.stream()
                      .anyMatch(
                          h ->
                              "probes stopped: ARP probes cannot run: no CAP_NET_RAW"
                                  .equals(h.problem())));
      assertThat(sensor.problem()).as("the sampler's own problem is none").isNull();
    }
    assertThat(published.heartbeats.get(0).problem()).isNull();
  }

  @Test
  void onceIsOneSampleWithCpuThenFlushed() throws InterruptedException {
    RecordingPublisher published = new RecordingPublisher();

    HostMetrics m = HostSensor.sampleOnce(CONFIG, published, Clock.systemUTC());

    assertThat(published.hostMetrics).containsExactly(m);
    assertThat(published.flushed).isTrue();
    assertThat(m.cpu()).isNotNull();
    assertThat(m.cpu().windowMs()).isGreaterThanOrEqualTo(HostSensor.FIRST_WINDOW.toMillis() - 50);
    assertThat(published.heartbeats).isEmpty();
  }

  @Test
  void theKernelsHostNameIsTheDefault() {
    HostSensorConfig defaults = HostSensorConfig.defaults();

    assertThat(defaults.resolvedHostName())
        .isEqualTo(io.labwatch.producers.arp.Interfaces.hostName())
        .isNotBlank();
    assertThat(defaults.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.enabled()).isTrue();
  }
}
