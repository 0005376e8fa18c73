package io.labwatch.producers.publish;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.ProbeResult;

/** Where a sensor's events go: a Kafka topic, or standard output. */
public interface EventPublisher extends AutoCloseable {

  void observation(ArpObservation observation);

  void heartbeat(Heartbeat heartbeat);

  /**
   * A confirmation probe's start or end, keyed by its IP like the replies it draws, so that the
   * detection reads them in order. Publishers that only print drop it.
   */
  default void probe(ArpProbe probe) {}

  /**
   * An interface's counters, polled by SNMP: to {@code labwatch.snmp}, keyed by {@code
   * device/ifIndex}. Publishers without that topic drop them.
   */
  default void counters(InterfaceCounters counters) {}

  /**
   * A reachability probe's result ({@code host.probe.ProbeScheduler}): to {@code labwatch.host},
   * keyed by the sensor's host name (its {@code sensorId}). Publishers without that topic drop it.
   * Called from the probing threads, for several targets at once.
   */
  default void probeResult(ProbeResult result) {}

  /**
   * A host's metrics sample: to {@code labwatch.host}, keyed by the host name. Publishers without
   * that topic drop them.
   */
  default void hostMetrics(HostMetrics metrics) {}

  /** Blocks until everything handed over so far is delivered (or has failed). */
  default void flush() {}

  /** How many events could not be delivered. */
  default long failures() {
    return 0;
  }

  /** Why the first event that could not be delivered was not, in one line; null if none failed. */
  default String firstFailure() {
    return null;
  }

  /**
   * Closes without waiting for what is in flight (it fails): for a stop while the broker is gone,
   * where a call blocked on it must return now.
   */
  default void closeNow() {
    close();
  }

  @Override
  void close();
}
