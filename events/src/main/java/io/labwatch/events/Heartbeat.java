package io.labwatch.events;

import java.time.Instant;

/**
 * A sensor's sign of life, published every interval to every partition of its topic, so that stream
 * time advances on a quiet network and a silent sensor is noticed.
 *
 * @param v schema major version
 * @param eventTime when it was sent
 * @param sensorId the sensor
 * @param intervalMs how often this sensor sends heartbeats; silence for a few of these is news
 * @param capture the capture statistics so far
 * @param problem what keeps the sensor from seeing traffic right now (e.g. its interface is down),
 *     or null when it is capturing
 * @param replayOf the capture file this heartbeat's sensor is replaying ({@code sensor arp
 *     --pcap}), or null for a live sensor: a replay ends when its file does, which is not a sensor
 *     falling silent
 */
public record Heartbeat(
    int v,
    Instant eventTime,
    String sensorId,
    long intervalMs,
    Capture capture,
    String problem,
    String replayOf)
    implements SensorEvent {

  private static final String TYPE = "Heartbeat";

  public Heartbeat {
    Schema.checkVersion(v, TYPE);
    Schema.required(eventTime, TYPE, "eventTime");
    Schema.requiredText(sensorId, TYPE, "sensorId");
    if (intervalMs <= 0) {
      throw new IllegalArgumentException(TYPE + ": 'intervalMs' must be > 0, got " + intervalMs);
    }
    Schema.required(capture, TYPE, "capture");
  }

  public Heartbeat(
      Instant eventTime, String sensorId, long intervalMs, Capture capture, String problem) {
    this(Schema.V1, eventTime, sensorId, intervalMs, capture, problem, null);
  }

  public Heartbeat(Instant eventTime, String sensorId, long intervalMs, Capture capture) {
    this(Schema.V1, eventTime, sensorId, intervalMs, capture, null, null);
  }

  /** A heartbeat of a capture file's replay: moves stream time, never makes a sensor silent. */
  public static Heartbeat ofReplay(
      Instant eventTime, String sensorId, long intervalMs, Capture capture, String file) {
    Schema.requiredText(file, TYPE, "replayOf");
    return new Heartbeat(Schema.V1, eventTime, sensorId, intervalMs, capture, null, file);
  }

  /**
   * Packet counts since the sensor started.
   *
   * @param received packets the capture delivered to the sensor
   * @param dropped packets the kernel dropped because the sensor did not read fast enough
   * @param droppedByInterface packets the interface or its driver dropped
   */
  public record Capture(long received, long dropped, long droppedByInterface) {
    public Capture {
      Schema.nonNegative(received, "Heartbeat.capture", "received");
      Schema.nonNegative(dropped, "Heartbeat.capture", "dropped");
      Schema.nonNegative(droppedByInterface, "Heartbeat.capture", "droppedByInterface");
    }
  }
}
