package io.labwatch.streams.sensors;

import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.Severity;
import io.labwatch.streams.bindings.AlertTexts;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * SENSOR_SILENT: a sensor that misses {@code silentHeartbeats} heartbeats in a row. Fires at the
 * moment the last missed heartbeat was due (last heartbeat + n × its interval), resolves at the
 * next heartbeat. A sensor replaying a capture file (its heartbeats say {@link Heartbeat#replayOf})
 * never falls silent: its file ended, nobody stopped watching.
 */
public final class SensorLiveness {

  public static final String SENSOR_SILENT = "SENSOR_SILENT";

  private final int silentHeartbeats;

  public SensorLiveness(int silentHeartbeats) {
    this.silentHeartbeats = silentHeartbeats;
  }

  /** One sensor's liveness, stored per sensor id as JSON. */
  public static final class SensorState {
    public String sensorId;
    public long lastHeartbeat;
    public long intervalMs;
    public Alert silent;

    /** Its latest heartbeat came from a file replay. */
    public boolean replay;
  }

  /** A heartbeat arrived; returns the RESOLVED alert when the sensor was silent, else null. */
  public Alert onHeartbeat(SensorState s, Heartbeat h) {
    long at = h.eventTime().toEpochMilli();
    if (at < s.lastHeartbeat) {
      return null; // an old heartbeat, e.g. from another partition replayed late
    }
    s.sensorId = h.sensorId();
    s.lastHeartbeat = at;
    s.intervalMs = h.intervalMs();
    s.replay = h.replayOf() != null;
    if (s.silent == null) {
      return null;
    }
    // (a silence noticed by the wall clock can be ended by a heartbeat stamped before it began)
    Instant back =
        h.eventTime().isBefore(s.silent.startedAt()) ? s.silent.startedAt() : h.eventTime();
    Alert resolved =
        s.silent.resolved(
            "Sensor "
                + s.sensorId
                + " is back after "
                + AlertTexts.duration(
                    Duration.ofMillis(back.toEpochMilli() - s.silent.startedAt().toEpochMilli()))
                + " of silence",
            back);
    s.silent = null;
    return resolved;
  }

  /** When the sensor is due to count as silent. */
  public long silentAt(SensorState s) {
    return s.lastHeartbeat + silentHeartbeats * s.intervalMs;
  }

  /** Time passed to {@code now}; returns the FIRING alert if the sensor just fell silent. */
  public Alert onTime(SensorState s, long now) {
    long due = silentAt(s);
    if (s.replay || s.silent != null || now < due) {
      return null;
    }
    s.silent =
        Alert.firing(
            SENSOR_SILENT,
            s.sensorId,
            Severity.WARNING,
            "Sensor "
                + s.sensorId
                + " is silent: no heartbeat for "
                + AlertTexts.duration(Duration.ofMillis(due - s.lastHeartbeat))
                + " ("
                + silentHeartbeats
                + " intervals); what it watches is not being watched",
            new Evidence(
                java.util.List.of(),
                null,
                Map.of(
                    "lastHeartbeat", Instant.ofEpochMilli(s.lastHeartbeat).toString(),
                    "heartbeatInterval", AlertTexts.duration(Duration.ofMillis(s.intervalMs)))),
            Map.of("sensor", s.sensorId),
            Instant.ofEpochMilli(due));
    return s.silent;
  }
}
