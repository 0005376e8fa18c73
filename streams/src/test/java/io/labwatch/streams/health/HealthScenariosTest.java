package io.labwatch.streams.health;

import static io.labwatch.streams.Lab.ROUTER;
import static io.labwatch.streams.Lab.SERVER;
import static io.labwatch.streams.Lab.SERVER_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.InterfaceCounters.OperStatus;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.Severity;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.Lab;
import io.labwatch.streams.OfflineDetection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's scenarios, each through the whole topology (TopologyTestDriver): rates and spikes of
 * host and router series, links, unreachable services, and the one incident that names the symptom
 * and its cause.
 */
class HealthScenariosTest {

  private static final Duration TEN_S = Duration.ofSeconds(10);
  private static final String YAMATO = "yamato";
  private static final String LABBOX = "labbox";
  private static final String SSH = "tcp://yamato:22";
  private static final String DEVICE = "10.77.0.1";

  /** Defaults, deterministic, with a 5-minute warm-up so that scenarios stay short. */
  private static Lab lab() {
    DetectionConfig d =
        DetectionConfig.defaults().deterministic().withLearningPeriod(Duration.ofDays(1));
    return new Lab(d.withHealth(d.health().withWarmUp(Duration.ofMinutes(5))));
  }

  private final Random random = new Random(16);

  private static HostMetrics sample(
      Instant t, double cpu, double load, double gpu, long uptime, IpAddress ip) {
    return sample(t, cpu, load, gpu, uptime, ip, 0);
  }

  /** ... with {@code errors} receive errors counted on eth0 since boot. */
  private static HostMetrics sample(
      Instant t, double cpu, double load, double gpu, long uptime, IpAddress ip, long errors) {
    return new HostMetrics(
        t,
        YAMATO,
        uptime,
        400,
        new HostMetrics.Cpu(
            10_000,
            new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0),
            List.of(
                new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0),
                new HostMetrics.Usage(cpu, cpu * 0.8, cpu * 0.2, 0, 0))),
        new HostMetrics.Load(load, load, load),
        new HostMetrics.Memory(64L << 30, 48L << 30, 0, 0, 0L, 0L),
        List.of(),
        List.of(),
        List.of(
            new HostMetrics.NetInterface(
                "eth0",
                uptime * 1000,
                uptime * 1000,
                uptime,
                uptime,
                errors,
                0,
                0,
                0L,
                List.of(ip))),
        null,
        List.of(
            new HostMetrics.Gpu(
                0, "NVIDIA A100", "GPU-1", gpu, 1L << 30, 40L << 30, 40.0, 60.0, 0L)));
  }

  private HostMetrics normal(Instant t, long uptime) {
    return sample(t, 0.12 + (random.nextDouble() - 0.5) * 0.02, 0.4, 0.03, uptime, SERVER_IP);
  }

  private static ProbeResult ssh(Instant t, boolean ok, MacAddress mac) {
    return ok
        ? ProbeResult.answered(
            t, LABBOX, SSH, ProbeResult.Kind.TCP, SERVER_IP, 22, 800, mac, List.of())
        : ProbeResult.failed(
            t,
            LABBOX,
            SSH,
            ProbeResult.Kind.TCP,
            SERVER_IP,
            22,
            2_000_000,
            ProbeResult.ErrorClass.TIMEOUT,
            "connect timed out",
            mac);
  }

  /** {@code seconds} of normal life at yamato: a sample and a probe that answers every 10 s. */
  private long normalLife(Lab lab, int seconds, long uptime) {
    for (int i = 0; i < seconds / 10; i++) {
      lab.after(TEN_S);
      uptime += 10;
      lab.host(normal(lab.now, uptime)).host(ssh(lab.now.plusMillis(1), true, SERVER));
    }
    return uptime;
  }

  private static List<Alert> of(List<Alert> alerts, String kind) {
    return alerts.stream().filter(a -> a.kind().equals(kind)).toList();
  }

  /** The seed: ssh fails whenever the address resolves to the router; one incident says why. */
  private List<Alert> seed(Lab lab) {
    long uptime = normalLife(lab, 600, 86_400);
    assertThat(lab.alerts()).isEmpty();
    List<Alert> out = new ArrayList<>();
    // the router in AP mode takes the server's address: the binding flips every 10 s, and so do
    // the probes: to the server they answer, to the router they time out
    for (int i = 0; i < 30; i++) {
      lab.after(TEN_S);
      uptime += 10;
      MacAddress now = i % 2 == 0 ? ROUTER : SERVER;
      lab.reply(SERVER_IP, now);
      lab.host(normal(lab.now, uptime));
      lab.host(ssh(lab.now.plusMillis(1), now == SERVER, now));
      out.addAll(lab.alerts());
    }
    return out;
  }

  @Test
  void intermittentSshToASecondMacDuringAnIpConflictIsOneIncidentThatNamesTheCauseAndNotTheLoad() {
    try (Lab lab = lab()) {
      List<Alert> out = seed(lab);

      List<Alert> unreachable = of(out, Reachability.SERVICE_UNREACHABLE);
      assertThat(unreachable).isNotEmpty();
      assertThat(unreachable)
          .extracting(Alert::incidentId)
          .containsOnly(unreachable.get(0).incidentId());
      Alert first = unreachable.get(0);
      assertThat(first.state()).isEqualTo(AlertState.FIRING);
      assertThat(first.updatedAt())
          .as("its first record is its firing")
          .isEqualTo(first.startedAt());
      assertThat(unreachable.subList(1, unreachable.size()))
          .allSatisfy(a -> assertThat(a.updatedAt()).isAfter(a.startedAt()));
      assertThat(first.severity()).isEqualTo(Severity.WARNING);
      assertThat(first.subject()).isEqualTo("10.77.0.10/ssh");
      assertThat(first.summary())
          .startsWith("ssh to yamato (10.77.0.10) fails intermittently: 3 of 5 probes in 40 s")
          .contains("every failure went to 00:a0:de:77:00:10 (YAMAHA")
          .contains("every answer came from dc:9b:9c:77:00:10 (Apple")
          .contains("Cause: IP conflict on 10.77.0.10 between ")
          .contains("Not the load: CPU 1") // 11-13 %
          .contains("load 0.4, GPU 3 % — normal for this host.");
      assertThat(first.evidence().facts())
          .containsEntry("failed via", "00:a0:de:77:00:10 3×")
          .containsEntry("load", "normal")
          .containsKey("cause");
      assertThat(first.evidence().macs())
          .extracting(m -> m.mac())
          .containsExactlyInAnyOrder(SERVER, ROUTER);

      // the conflict: one incident, fired once, then told again with its symptom
      List<Alert> conflict = of(out, "IP_CONFLICT");
      assertThat(conflict).extracting(Alert::incidentId).containsOnly(conflict.get(0).incidentId());
      assertThat(conflict.get(0).summary()).doesNotContain("symptom");
      assertThat(conflict).filteredOn(a -> a.summary().contains("symptom")).isNotEmpty();
      Alert told = conflict.stream().filter(a -> a.summary().contains("symptom")).findFirst().get();
      assertThat(told.summary()).contains("— symptom: ssh to yamato (10.77.0.10) failing since ");
      assertThat(told.evidence().facts()).containsKey("symptom");
      assertThat(told.state()).isEqualTo(AlertState.FIRING);
      // no load alert: the load was normal
      assertThat(of(out, HostRules.LOAD_SPIKE)).isEmpty();
      // a service alert fires once; what follows are updates of it, no second FIRING incident
      assertThat(unreachable.stream().map(Alert::startedAt).distinct()).hasSize(1);
    }
  }

  @Test
  void theSameFailuresWithHighCpuAndNoBindingIncidentBlameTheLoad() {
    try (Lab lab = lab()) {
      long uptime = normalLife(lab, 600, 86_400);
      lab.alerts();
      List<Alert> out = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        lab.after(TEN_S);
        uptime += 10;
        lab.host(sample(lab.now, 0.97, 7.5, 0.03, uptime, SERVER_IP));
        lab.host(ssh(lab.now.plusMillis(1), i % 2 == 1, SERVER));
        out.addAll(lab.alerts());
      }
      assertThat(of(out, "IP_CONFLICT")).isEmpty();
      List<Alert> spikes = of(out, HostRules.LOAD_SPIKE);
      assertThat(spikes).extracting(Alert::subject).contains("yamato/cpu", "yamato/load");
      Alert cpu = spikes.stream().filter(a -> a.subject().equals("yamato/cpu")).findFirst().get();
      assertThat(cpu.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(cpu.summary()).startsWith("CPU on yamato at 97 % — normal for it is 1");
      List<Alert> unreachable = of(out, Reachability.SERVICE_UNREACHABLE);
      Alert latest = unreachable.get(unreachable.size() - 1);
      assertThat(latest.summary())
          .contains("Cause: load — CPU on yamato at 97 %")
          .contains("No IP conflict or MAC change on 10.77.0.10");
      assertThat(latest.evidence().facts()).containsEntry("load", "high");
    }
  }

  @Test
  void aServiceThatAnswersAgainResolvesAfterTheQuietPeriodAndTheConflictLosesItsSymptom() {
    try (Lab lab = lab()) {
      seed(lab);
      // the router is taken off the address; the server answers, and so does ssh
      long uptime = 100_000;
      List<Alert> out = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        lab.after(TEN_S);
        uptime += 10;
        lab.reply(SERVER_IP, SERVER);
        lab.host(normal(lab.now, uptime)).host(ssh(lab.now.plusMillis(1), true, SERVER));
        out.addAll(lab.alerts());
      }
      // (a fresh count once per update interval while it fires), then resolved, once; no new
      // incident from the failures still in the window
      List<Alert> unreachable = of(out, Reachability.SERVICE_UNREACHABLE);
      assertThat(unreachable)
          .extracting(Alert::incidentId)
          .containsOnly(unreachable.get(0).incidentId());
      assertThat(unreachable).filteredOn(a -> a.state() == AlertState.RESOLVED).hasSize(1);
      Alert resolved = unreachable.get(unreachable.size() - 1);
      assertThat(resolved.state()).isEqualTo(AlertState.RESOLVED);
      assertThat(resolved.summary())
          .isEqualTo(
              "ssh to yamato (10.77.0.10) answers again: no failed probe for 5 min (45 of 60"
                  + " answered in 10 min)");
      List<Alert> conflict = of(out, "IP_CONFLICT");
      assertThat(conflict).isNotEmpty();
      assertThat(conflict.get(0).summary()).doesNotContain("symptom");
    }
  }

  @Test
  void failuresWhileTheHostsInterfaceCountsErrorsBlameTheErrorsNotTheLoad() {
    try (Lab lab = lab()) {
      long uptime = normalLife(lab, 600, 86_400);
      lab.alerts();
      List<Alert> out = new ArrayList<>();
      long errors = 0;
      for (int i = 0; i < 12; i++) { // a bad cable: 500 receive errors a second
        lab.after(TEN_S);
        uptime += 10;
        errors += 5_000;
        lab.host(sample(lab.now, 0.12, 0.4, 0.03, uptime, SERVER_IP, errors));
        lab.host(ssh(lab.now.plusMillis(1), i % 2 == 1, SERVER));
        out.addAll(lab.alerts());
      }
      List<Alert> errorAlerts = of(out, HostRules.INTERFACE_ERRORS);
      assertThat(errorAlerts).extracting(Alert::subject).containsOnly("yamato/errors:eth0");
      assertThat(errorAlerts.get(0).severity()).isEqualTo(Severity.CRITICAL);
      assertThat(errorAlerts.get(0).summary())
          .startsWith("errors and drops on eth0 of yamato at 500/s");
      assertThat(of(out, HostRules.LOAD_SPIKE)).isEmpty();
      List<Alert> unreachable = of(out, Reachability.SERVICE_UNREACHABLE);
      Alert latest = unreachable.get(unreachable.size() - 1);
      assertThat(latest.summary())
          .contains("Cause: interface errors — errors and drops on eth0 of yamato at 500/s")
          .contains("No IP conflict or MAC change on 10.77.0.10, and not the load: CPU 12 %");
      assertThat(latest.evidence().facts()).containsKey("interface errors");
    }
  }

  @Test
  void everyProbeFailingIsCritical() {
    try (Lab lab = lab()) {
      long uptime = normalLife(lab, 600, 86_400);
      List<Alert> out = new ArrayList<>();
      for (int i = 0; i < 80; i++) { // the window fills with failures only
        lab.after(TEN_S);
        uptime += 10;
        lab.host(normal(lab.now, uptime)).host(ssh(lab.now.plusMillis(1), false, SERVER));
        out.addAll(lab.alerts());
      }
      List<Alert> unreachable = of(out, Reachability.SERVICE_UNREACHABLE);
      // from the third failure in a row: nothing answers, critical at once
      assertThat(unreachable.get(0).severity()).isEqualTo(Severity.CRITICAL);
      assertThat(unreachable.get(0).summary())
          .startsWith("ssh to yamato (10.77.0.10) fails: all 3 probes in 20 s failed (timeout)");
      Alert last = unreachable.get(unreachable.size() - 1);
      assertThat(last.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(last.summary()).contains("fails: all 60 probes in 9 min failed (timeout)");
      assertThat(last.summary())
          .contains("Cause not known: no IP conflict or MAC change on 10.77.0.10");
    }
  }

  @Test
  void aRealCpuSpikeAfterTheWarmUpFiresOnceAndResolvesWithHysteresis() {
    try (Lab lab = lab()) {
      long uptime = normalLife(lab, 600, 86_400);
      List<Alert> out = new ArrayList<>();
      double[] cpu = {0.95, 0.95, 0.95, 0.97, 0.96, 0.95, 0.95, 0.46, 0.46, 0.2, 0.12, 0.12, 0.12};
      for (double c : cpu) { // 45 % is under the 50 % floor but not under 90 % of it
        lab.after(TEN_S);
        uptime += 10;
        lab.host(sample(lab.now, c, 0.4, 0.03, uptime, SERVER_IP));
        out.addAll(lab.alerts());
      }
      uptime = normalLife(lab, 300, uptime);
      out.addAll(lab.alerts());
      assertThat(out).extracting(Alert::kind).containsOnly(HostRules.LOAD_SPIKE);
      assertThat(out)
          .extracting(Alert::state)
          .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
      assertThat(out.get(0).subject()).isEqualTo("yamato/cpu");
      assertThat(out.get(0).severity()).isEqualTo(Severity.CRITICAL);
      assertThat(out.get(0).evidence().facts())
          .containsEntry("value", "95 %")
          .containsKey("baseline");
      // fired at the third sample above, resolved at the third under 90 % of the floor
      assertThat(out.get(0).startedAt()).isEqualTo(lab.now.minusSeconds(10 * (30 + 13 - 3)));
      assertThat(out.get(1).endedAt()).isEqualTo(lab.now.minusSeconds(10 * (30 + 13 - 12)));
      assertThat(out.get(1).summary()).isEqualTo("CPU on yamato back to 12 % (peak 97 %)");
      assertThat(uptime).isPositive();
    }
  }

  @Test
  void aSlowDailyRampIsNoSpikeTheBaselineFollows() {
    try (Lab lab = lab()) {
      long uptime = 86_400;
      // 10 % at night to 85 % by day, over 12 hours, and back: a lab that works in the day
      for (int i = 0; i <= 8640; i++) {
        double phase = i <= 4320 ? i / 4320.0 : (8640 - i) / 4320.0;
        lab.after(TEN_S);
        uptime += 10;
        double cpu = 0.10 + 0.75 * phase + (random.nextDouble() - 0.5) * 0.04;
        lab.host(sample(lab.now, cpu, 0.4 + 1.5 * phase, 0.03, uptime, SERVER_IP));
      }
      assertThat(lab.alerts()).isEmpty();
    }
  }

  // ---- interfaces

  private static InterfaceCounters poll(
      Instant t, long upTicks, int bits, long inOctets, OperStatus status, Long discontinuity) {
    return new InterfaceCounters(
        t,
        DEVICE,
        3,
        "lan0",
        null,
        status,
        100L,
        bits,
        upTicks,
        discontinuity,
        new InterfaceCounters.Counters(
            inOctets, 1_000L, null, null, null, null, null, null, 0L, 0L, 0L, 0L));
  }

  /** Polls every 30 s of an interface at ~20 % of 100 Mbit/s in, from {@code octets}. */
  private long steadyTraffic(
      Lab lab, int polls, long[] ticks, long octets, int bits, Consumer<Long> each) {
    for (int i = 0; i < polls; i++) {
      lab.after(Duration.ofSeconds(30));
      ticks[0] += 3000;
      octets += 75_000_000L + random.nextInt(2_000_000); // 2.5 MB/s = 20 %
      if (bits == 32) {
        octets &= 0xFFFF_FFFFL;
      }
      lab.snmp(poll(lab.now, ticks[0], bits, octets, OperStatus.UP, 0L));
      each.accept(octets);
    }
    return octets;
  }

  @Test
  void aThirtyTwoBitCounterWrapIsNoSpike() {
    try (Lab lab = lab()) {
      long[] ticks = {1_000_000};
      List<Long> values = new ArrayList<>();
      // two hours at 2.5 MB/s: a 32-bit octet counter wraps every 29 minutes
      steadyTraffic(lab, 240, ticks, 4_000_000_000L, 32, values::add);
      long wraps = 0;
      for (int i = 1; i < values.size(); i++) {
        wraps += values.get(i) < values.get(i - 1) ? 1 : 0;
      }
      assertThat(wraps).isGreaterThanOrEqualTo(3);
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void anAgentRestartIsNoSpike() {
    try (Lab lab = lab()) {
      long[] ticks = {1_000_000};
      steadyTraffic(lab, 60, ticks, 1_000_000_000L, 32, v -> {});
      // the router reboots: uptime 20 s, counters from zero — read as a wrap, that is 4 GB in 30 s
      lab.after(Duration.ofSeconds(30));
      lab.snmp(poll(lab.now, 2_000, 32, 10_000, OperStatus.UP, 0L));
      ticks[0] = 2_000;
      steadyTraffic(lab, 10, ticks, 10_000, 32, v -> {});
      // and a module reinserted: its discontinuity time moves, its counters start again
      lab.after(Duration.ofSeconds(30));
      ticks[0] += 3000;
      lab.snmp(poll(lab.now, ticks[0], 64, 5, OperStatus.UP, ticks[0] - 100));
      assertThat(lab.alerts()).isEmpty();
    }
  }

  @Test
  void aRealSpikeOfARouterInterfaceFiresOnceAndResolves() {
    try (Lab lab = lab()) {
      long[] ticks = {1_000_000};
      long octets = steadyTraffic(lab, 60, ticks, 0, 64, v -> {});
      List<Alert> out = new ArrayList<>();
      for (int i = 0; i < 10; i++) { // 11.5 MB/s: 92 % of the link
        lab.after(Duration.ofSeconds(30));
        ticks[0] += 3000;
        octets += 345_000_000L;
        lab.snmp(poll(lab.now, ticks[0], 64, octets, OperStatus.UP, 0L));
        out.addAll(lab.alerts());
      }
      steadyTraffic(lab, 10, ticks, octets, 64, v -> out.addAll(lab.alerts()));
      assertThat(out).extracting(Alert::kind).containsOnly(HostRules.LOAD_SPIKE);
      assertThat(out)
          .extracting(Alert::state)
          .containsExactly(AlertState.FIRING, AlertState.RESOLVED);
      assertThat(out.get(0).subject()).isEqualTo("10.77.0.1/3:in");
      assertThat(out.get(0).severity()).isEqualTo(Severity.CRITICAL);
      assertThat(out.get(0).summary())
          .startsWith("traffic in on lan0 of 10.77.0.1 at 92 % — normal for it is 2");
    }
  }

  @Test
  void aFlappingLinkIsOneLinkFlappingNotALinkDownPerFlap() {
    try (Lab lab = lab()) {
      long ticks = 1_000_000;
      long octets = 0;
      OperStatus[] statuses = {
        OperStatus.UP, OperStatus.UP, OperStatus.DOWN, OperStatus.UP, OperStatus.DOWN,
        OperStatus.UP, OperStatus.DOWN, OperStatus.UP, OperStatus.DOWN, OperStatus.UP,
        OperStatus.UP
      };
      List<Alert> out = new ArrayList<>();
      for (OperStatus s : statuses) {
        lab.after(Duration.ofSeconds(30));
        ticks += 3000;
        octets += 1000;
        lab.snmp(poll(lab.now, ticks, 64, octets, s, 0L));
        out.addAll(lab.alerts());
      }
      // down once: one LINK_DOWN, open while the link bounces
      assertThat(of(out, InterfaceRules.LINK_DOWN))
          .extracting(Alert::state)
          .containsExactly(AlertState.FIRING);
      assertThat(of(out, InterfaceRules.LINK_FLAPPING)).hasSize(1);
      assertThat(of(out, InterfaceRules.LINK_FLAPPING).get(0).summary())
          .isEqualTo("lan0 of 10.77.0.1 is flapping: 4 status changes in 10 min");
      // ten quiet minutes later it is stable again
      for (int i = 0; i < 21; i++) {
        lab.after(Duration.ofSeconds(30));
        ticks += 3000;
        lab.snmp(poll(lab.now, ticks, 64, octets, OperStatus.UP, 0L));
      }
      List<Alert> later = lab.alerts();
      assertThat(later)
          .extracting(Alert::kind, Alert::state)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(InterfaceRules.LINK_DOWN, AlertState.RESOLVED),
              org.assertj.core.groups.Tuple.tuple(
                  InterfaceRules.LINK_FLAPPING, AlertState.RESOLVED));
    }
  }

  @Test
  void aHostRebootIsNoSpikeOfItsCounters() {
    try (Lab lab = lab()) {
      long uptime = normalLife(lab, 600, 86_400);
      // rebooted: uptime 5 s, every counter from zero (the interface's errors included)
      lab.after(TEN_S);
      lab.host(normal(lab.now, 5));
      normalLife(lab, 120, 5);
      assertThat(lab.alerts()).isEmpty();
      assertThat(uptime).isGreaterThan(5);
    }
  }

  @Test
  void replayingTheSameRecordsGivesTheSameAlerts() {
    List<Alert> first = everything();
    List<Alert> second = everything();
    assertThat(first)
        .extracting(Alert::kind)
        .contains(
            Reachability.SERVICE_UNREACHABLE,
            "IP_CONFLICT",
            HostRules.LOAD_SPIKE,
            InterfaceRules.LINK_DOWN,
            InterfaceRules.LINK_FLAPPING);
    assertThat(second).isEqualTo(first);
  }

  /**
   * Issue 17: `labwatch replay` runs the processors offline over the kept records of the three
   * topics, routed as the topology routes them — the same alerts, over every rule family.
   */
  @Test
  void theOfflineDriverOfReplayGivesTheTopologysAlertsOverEveryRuleFamily() {
    List<Lab.Recorded> input = new ArrayList<>();
    List<Alert> fromTopology = everything(input);
    Lab reference = lab();
    DetectionConfig config = reference.config;
    reference.close();
    OfflineDetection offline = new OfflineDetection(config, config.inventory());
    List<Alert> fromOffline = new ArrayList<>();
    for (Lab.Recorded r : input) {
      fromOffline.addAll(offline.process(r.source(), r.key(), r.value(), r.at()));
    }
    assertThat(fromTopology)
        .extracting(Alert::kind)
        .contains(
            Reachability.SERVICE_UNREACHABLE,
            "IP_CONFLICT",
            HostRules.LOAD_SPIKE,
            InterfaceRules.LINK_DOWN,
            InterfaceRules.LINK_FLAPPING);
    assertThat(fromTopology)
        .as("the conflict told with its symptom, through the correlation")
        .anyMatch(a -> a.kind().equals("IP_CONFLICT") && a.summary().contains("symptom"));
    assertThat(fromOffline).containsExactlyInAnyOrderElementsOf(fromTopology);
  }

  private List<Alert> everything() {
    return everything(new ArrayList<>());
  }

  /** The seed, then a CPU spike and a router port that flaps and spikes, in one lab. */
  private List<Alert> everything(List<Lab.Recorded> input) {
    random.setSeed(16);
    try (Lab lab = lab()) {
      List<Alert> out = new ArrayList<>(seed(lab));
      long uptime = 200_000;
      for (int i = 0; i < 60; i++) {
        lab.after(TEN_S);
        uptime += 10;
        lab.host(sample(lab.now, i >= 20 && i < 30 ? 0.97 : 0.12, 0.4, 0.03, uptime, SERVER_IP));
        lab.snmp(
            poll(
                lab.now,
                1_000_000 + 1000L * i,
                32,
                (i * (i >= 40 ? 120_000_000L : 1_000_000L)) & 0xFFFF_FFFFL,
                i % 7 == 3 ? OperStatus.DOWN : OperStatus.UP,
                0L));
        out.addAll(lab.alerts());
      }
      input.addAll(lab.recorded);
      return out;
    }
  }
}
