package io.labwatch.producers.snmp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.producers.publish.EventPublisher;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SNMP benchmark's way to the sensor's package-private poller: one device polled exactly as
 * {@link SnmpSensor} polls it at each turn (the same {@link DevicePoller}, {@link ArpTableDiff} and
 * snmp4j session), but when the benchmark says, so that a single poll can be timed. Benchmarks
 * only; it lives in the bench module.
 */
public final class BenchPollers implements AutoCloseable {

  private final Snmp4jSession session;
  private final SnmpSensorConfig config;

  private BenchPollers(Snmp4jSession session, SnmpSensorConfig config) {
    this.session = session;
    this.config = config;
  }

  /** One snmp4j session for all the devices of {@code config}, as the sensor opens it. */
  public static BenchPollers open(SnmpSensorConfig config) throws IOException {
    return new BenchPollers(Snmp4jSession.open(), config);
  }

  /** The max-repetitions the sensor asks the ARP table with. */
  public int arpRepetitions() {
    return DevicePoller.arpRepetitions(config.maxRepetitions());
  }

  /** A poller per configured device, in the configured order. */
  public List<Poller> pollers() {
    List<Poller> out = new ArrayList<>();
    for (SnmpSensorConfig.DeviceSettings s : config.resolved()) {
      out.add(new Poller(s, session.client(s)));
    }
    return out;
  }

  /**
   * What one poll found and did.
   *
   * @param arpEntries ARP entries read
   * @param interfaces interfaces whose counters were read
   * @param varbinds values the walks gathered (rows times the columns asked for)
   * @param requests requests the poll took
   * @param published records handed to the publisher
   * @param problem the poll's problem (a device that did not answer, ...), or null
   */
  public record Poll(
      int arpEntries, int interfaces, int varbinds, int requests, int published, String problem) {}

  /** One device's poller, and its ARP table between polls. */
  public final class Poller {
    private final SnmpSensorConfig.DeviceSettings settings;
    private final DevicePoller poller;
    private final ArpTableDiff table;

    Poller(SnmpSensorConfig.DeviceSettings settings, SnmpClient client) {
      this.settings = settings;
      this.poller = new DevicePoller(settings, client, config.maxRepetitions());
      this.table = new ArpTableDiff(config.refreshInterval());
    }

    /**
     * Polls once at {@code at} and publishes what the sensor would (new and changed entries, all of
     * them when a refresh is due, every interface's counters).
     */
    public Poll poll(Instant at, EventPublisher publisher) {
      DevicePoller.Result r = poller.poll(at);
      int published = 0;
      for (ArpObservation o : table.next(r, settings.name())) {
        publisher.observation(o);
        published++;
      }
      if (r.counters() != null) {
        for (InterfaceCounters c : r.counters()) {
          publisher.counters(c);
          published++;
        }
      }
      int arp = r.arp() == null ? 0 : r.arp().size();
      int ifs = r.counters() == null ? 0 : r.counters().size();
      return new Poll(
          arp,
          ifs,
          arp * 2 + ifs * 19 + 1,
          r.requests(),
          published,
          r.problem() == null ? null : settings.name() + ": " + r.problem());
    }
  }

  @Override
  public void close() {
    session.close();
  }
}
