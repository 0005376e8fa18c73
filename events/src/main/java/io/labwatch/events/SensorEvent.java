package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/**
 * What a sensor publishes to its topic: observations, and heartbeats that say the sensor is alive
 * and advance stream time on a quiet network. The JSON carries a {@code type} field naming the
 * record ({@code arp}, {@code heartbeat}, {@code probe}, {@code counters}, {@code probe-result},
 * {@code host}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ArpObservation.class, name = "arp"),
  @JsonSubTypes.Type(value = Heartbeat.class, name = "heartbeat"),
  @JsonSubTypes.Type(value = ArpProbe.class, name = "probe"),
  @JsonSubTypes.Type(value = InterfaceCounters.class, name = "counters"),
  @JsonSubTypes.Type(value = ProbeResult.class, name = "probe-result"),
  @JsonSubTypes.Type(value = HostMetrics.class, name = "host")
})
public sealed interface SensorEvent
    permits ArpObservation, Heartbeat, ArpProbe, InterfaceCounters, ProbeResult, HostMetrics {

  /** Schema major version, see {@link Schema}. */
  int v();

  /**
   * When it happened: capture time for packets, poll time for SNMP, sample time for host metrics,
   * send time for heartbeats.
   */
  Instant eventTime();

  String sensorId();
}
