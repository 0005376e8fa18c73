package io.labwatch.streams.sensors;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Alert;
import io.labwatch.events.AlertState;
import io.labwatch.events.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SensorLivenessTest {

  static final Instant T0 = Instant.parse("2026-11-25T14:00:00Z");
  static final long INTERVAL = 10_000;
  final SensorLiveness liveness = new SensorLiveness(3);

  static Heartbeat live(Instant at) {
    return new Heartbeat(at, "lab-sw1", INTERVAL, new Heartbeat.Capture(1, 0, 0));
  }

  static Heartbeat replay(Instant at) {
    return Heartbeat.ofReplay(
        at, "labbox-pcap", INTERVAL, new Heartbeat.Capture(1, 0, 0), "incident.pcap");
  }

  @Test
  void aLiveSensorThatStopsSendingHeartbeatsFallsSilentAtThreeMissedIntervals() {
    SensorLiveness.SensorState s = new SensorLiveness.SensorState();
    liveness.onHeartbeat(s, live(T0));

    assertThat(liveness.onTime(s, T0.toEpochMilli() + 3 * INTERVAL - 1)).isNull();
    Alert silent = liveness.onTime(s, T0.toEpochMilli() + 3 * INTERVAL);

    assertThat(silent).isNotNull();
    assertThat(silent.state()).isEqualTo(AlertState.FIRING);
    assertThat(silent.startedAt()).isEqualTo(T0.plusMillis(3 * INTERVAL));
  }

  @Test
  void aFileReplayThatEndsIsNotASilentSensor() {
    SensorLiveness.SensorState s = new SensorLiveness.SensorState();
    liveness.onHeartbeat(s, replay(T0));

    assertThat(liveness.onTime(s, T0.plus(Duration.ofDays(1)).toEpochMilli())).isNull();
  }

  @Test
  void aSilenceNoticedByTheWallClockNeverResolvesBeforeItStarted() {
    SensorLiveness.SensorState s = new SensorLiveness.SensorState();
    liveness.onHeartbeat(s, live(T0));
    Alert silent = liveness.onTime(s, T0.toEpochMilli() + 3 * INTERVAL);

    // a heartbeat stamped before the silence began arrives late (it was queued at the sensor)
    Alert resolved = liveness.onHeartbeat(s, live(T0.plusMillis(INTERVAL)));

    assertThat(resolved.state()).isEqualTo(AlertState.RESOLVED);
    assertThat(resolved.endedAt()).isEqualTo(silent.startedAt());
    assertThat(resolved.endedAt()).isAfterOrEqualTo(resolved.startedAt());
  }
}
