package io.labwatch.producers.publish;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Prints observations, interface counters, host metrics and probe results as JSON lines, exactly as
 * they would be published (the topics' contract), so a sensor can be used — and tested — without a
 * broker. Heartbeats are not printed.
 */
public final class StdoutEventPublisher implements EventPublisher {

  private final JsonSerde<SensorEvent> serde = JsonSerde.of(SensorEvent.class);
  private final PrintWriter out;

  public StdoutEventPublisher(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void observation(ArpObservation observation) {
    out.println(new String(serde.serialize(null, observation), StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void counters(InterfaceCounters counters) {
    out.println(new String(serde.serialize(null, counters), StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void probeResult(ProbeResult result) {
    out.println(new String(serde.serialize(null, result), StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void hostMetrics(HostMetrics metrics) {
    out.println(new String(serde.serialize(null, metrics), StandardCharsets.UTF_8));
  }

  @Override
  public void heartbeat(Heartbeat heartbeat) {}

  @Override
  public synchronized void flush() {
    out.flush();
  }

  @Override
  public void close() {
    flush();
  }
}
