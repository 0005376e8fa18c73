package io.labwatch.producers.testing;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.ProbeResult;
import io.labwatch.producers.publish.EventPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a sensor publishes, for assertions. */
public final class RecordingPublisher implements EventPublisher {

  public final List<ArpObservation> observations = new CopyOnWriteArrayList<>();
  public final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
  public final List<ArpProbe> probes = new CopyOnWriteArrayList<>();
  public final List<InterfaceCounters> counters = new CopyOnWriteArrayList<>();
  public final List<ProbeResult> probeResults = new CopyOnWriteArrayList<>();
  public final List<HostMetrics> hostMetrics = new CopyOnWriteArrayList<>();

  /** Observations and probes, in the order they were handed over. */
  public final List<Object> sequence = new CopyOnWriteArrayList<>();

  public volatile boolean flushed;

  @Override
  public void observation(ArpObservation observation) {
    observations.add(observation);
    sequence.add(observation);
  }

  @Override
  public void probe(ArpProbe probe) {
    probes.add(probe);
    sequence.add(probe);
  }

  @Override
  public void counters(InterfaceCounters c) {
    counters.add(c);
  }

  @Override
  public void probeResult(ProbeResult r) {
    probeResults.add(r);
  }

  @Override
  public void hostMetrics(HostMetrics m) {
    hostMetrics.add(m);
  }

  @Override
  public void heartbeat(Heartbeat heartbeat) {
    heartbeats.add(heartbeat);
  }

  @Override
  public void flush() {
    flushed = true;
  }

  @Override
  public void close() {}
}
