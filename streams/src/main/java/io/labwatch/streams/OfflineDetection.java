package io.labwatch.streams;

import io.labwatch.events.Alert;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.bindings.BindingRules;
import io.labwatch.streams.bindings.IpState;
import io.labwatch.streams.health.IpSignal;
import io.labwatch.streams.impostors.Claim;
import io.labwatch.streams.impostors.ImpostorRules;
import io.labwatch.streams.impostors.ImpostorSupplier;
import io.labwatch.streams.impostors.MacState;
import io.labwatch.streams.internal.DetectionSupplier;
import io.labwatch.streams.internal.HealthSuppliers;
import io.labwatch.streams.internal.ObjectStore;
import io.labwatch.streams.internal.OfflineContext;
import io.labwatch.streams.internal.OfflineStores;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The detection's processors — the same ones the topology runs — driven in this thread over records
 * in order, with plain in-memory stores and stream-time punctuation as Kafka Streams does it (after
 * a record that moves stream time past the schedule). For {@code labwatch analyze}: a capture of a
 * million packets in seconds, no broker, no disk, no wall clock; for {@code labwatch replay}: the
 * kept records of the {@code arp}, {@code host} and {@code snmp} topics over a time range, merged
 * in time order, through every rule family, routed between the processors as the topology routes
 * them (the binding incidents of an address through the correlation with its probes and its host's
 * health).
 *
 * <p>It is one partition: every record, heartbeats included, goes through the one task, so stream
 * time is the capture's. Alerts carry event times, so they are the same as the live pipeline's;
 * only the moment a timer fires may come earlier than in a live run spread over partitions. The
 * per-IP rules' claims go straight on to the impostor rules, in order; probe requests are dropped
 * (a capture is the past: nothing is asked, and the answers a live run drew are in the capture).
 */
public final class OfflineDetection {

  private final DetectionConfig config;
  private final OfflineContext<String, Object> context;
  private final Processor<String, SensorEvent, String, Object> processor;
  private final OfflineContext<String, Alert> impostorContext;
  private final Processor<String, Claim, String, Alert> impostors;
  private final ObjectStore<String, IpState> ipStates;
  private final ObjectStore<String, MacState> macStates;
  private final OfflineContext<String, Object> hostContext;
  private final Processor<String, SensorEvent, String, Object> hosts;
  private final OfflineContext<String, Alert> snmpContext;
  private final Processor<String, SensorEvent, String, Alert> interfaces;
  private final OfflineContext<String, Alert> ipContext;
  private final Processor<String, IpSignal, String, Alert> correlation;

  /** The topic a record came from: each has its own processor and its own stream time. */
  public enum Source {
    ARP,
    HOST,
    SNMP
  }

  @SuppressWarnings("unchecked")
  public OfflineDetection(DetectionConfig config, Map<IpAddress, List<MacAddress>> inventory) {
    DetectionConfig deterministic = config.deterministic();
    this.config = deterministic;
    DetectionSupplier detection = DetectionSupplier.overObjectStores(deterministic);
    this.context = new OfflineContext<>(deterministic.applicationId() + "-offline", "arp");
    List<StateStore> stores = OfflineStores.of(detection, inventory);
    stores.forEach(context::addStateStore);
    this.ipStates = context.getStateStore(DetectionSupplier.IP_STATE_STORE);
    this.processor = detection.get();
    processor.init(context);

    ImpostorSupplier impostorRules =
        new ImpostorSupplier(deterministic, DetectionSupplier.INVENTORY_STORE);
    this.impostorContext =
        new OfflineContext<>(deterministic.applicationId() + "-offline", "claims");
    this.macStates = new ObjectStore<>(ImpostorSupplier.STORE);
    impostorContext.addStateStore(macStates);
    impostorContext.addStateStore(context.getStateStore(DetectionSupplier.INVENTORY_STORE));
    this.impostors = impostorRules.get();
    impostors.init(impostorContext);

    String app = deterministic.applicationId() + "-offline";
    this.hostContext = new OfflineContext<>(app, "host");
    hostContext.addStateStore(new ObjectStore<String, Object>(HealthSuppliers.HOST_STORE));
    this.hosts = HealthSuppliers.hosts(deterministic).get();
    hosts.init(hostContext);
    this.snmpContext = new OfflineContext<>(app, "snmp");
    snmpContext.addStateStore(new ObjectStore<String, Object>(HealthSuppliers.INTERFACE_STORE));
    this.interfaces = HealthSuppliers.interfaces(deterministic).get();
    interfaces.init(snmpContext);
    this.ipContext = new OfflineContext<>(app, "health-by-ip");
    ipContext.addStateStore(new ObjectStore<String, Object>(HealthSuppliers.IP_STORE));
    this.correlation = HealthSuppliers.correlation(deterministic).get();
    correlation.init(ipContext);
  }

  /**
   * Processes one record of {@code source}'s topic; returns the alerts it caused, in order, as the
   * topology would write them to the alerts topic.
   */
  public List<Alert> process(Source source, String key, SensorEvent value, long timestamp) {
    return switch (source) {
      case ARP -> process(key, value, timestamp);
      case HOST -> {
        hostContext.nextRecord(timestamp);
        hosts.process(new Record<>(key, value, timestamp));
        List<Alert> out = new ArrayList<>();
        for (Record<String, Object> r : hostContext.takeForwardedRecords()) {
          if (r.value() instanceof Alert a) {
            out.add(a);
          } else if (r.value() instanceof IpSignal s) {
            correlate(r.key(), s, r.timestamp(), out);
          }
        }
        // host records share a task with the arp topic's (their streams merge on the way to the
        // correlation, so the two topics are co-partitioned): they move its stream time too (the
        // per-IP rules' timers run on the arp records' own time, DetectionProcessor)
        context.advanceStreamTime(timestamp);
        context.punctuate();
        drainDetect(context.takeForwarded(), out);
        yield out;
      }
      case SNMP -> {
        snmpContext.nextRecord(timestamp);
        interfaces.process(new Record<>(key, value, timestamp));
        yield snmpContext.takeForwarded();
      }
    };
  }

  /** An alert of the per-IP or per-MAC rules, routed as the topology routes it. */
  private void route(Alert a, List<Alert> out) {
    if (!DetectionTopology.throughCorrelation(a)) {
      out.add(a);
    }
    if (DetectionTopology.toCorrelation(a)) {
      correlate(a.subject(), IpSignal.of(a), a.updatedAt().toEpochMilli(), out);
    }
  }

  /** A signal about address {@code ip}, through the correlation (the repartition by IP, live). */
  private void correlate(String ip, IpSignal s, long at, List<Alert> out) {
    ipContext.nextRecord(at);
    correlation.process(new Record<>(ip, s, at));
    out.addAll(ipContext.takeForwarded());
  }

  /** Processes one record of the {@code arp} topic; returns the alerts it caused, in order. */
  public List<Alert> process(String key, SensorEvent value, long timestamp) {
    context.nextRecord(timestamp);
    processor.process(new Record<>(key, value, timestamp));
    context.punctuate();
    List<Object> forwarded = context.takeForwarded();
    if (forwarded.isEmpty()) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>();
    drainDetect(forwarded, out);
    return out;
  }

  /** What the per-IP rules forwarded: alerts routed, claims through the impostor rules. */
  private void drainDetect(List<Object> forwarded, List<Alert> out) {
    for (Object o : forwarded) {
      if (o instanceof Alert a) {
        route(a, out);
      } else if (o instanceof Claim c) {
        impostorContext.nextRecord(c.at());
        impostors.process(new Record<>(c.mac(), c, c.at()));
        for (Alert a : impostorContext.takeForwarded()) {
          route(a, out);
        }
      } // a ProbeRequest: nobody to ask
    }
  }

  /** Stream time so far. */
  public long streamTime() {
    return context.currentStreamTimeMs();
  }

  /**
   * The binding changes still waiting for their window, oldest first: what a capture shorter than
   * the window would otherwise keep to itself.
   */
  public List<BindingRules.PendingChange> pendingChanges() {
    BindingRules rules = new BindingRules(config, ip -> null);
    List<BindingRules.PendingChange> out = new ArrayList<>();
    for (IpState s : all(ipStates)) {
      BindingRules.PendingChange p = rules.pendingChange(s);
      if (p != null) {
        out.add(p);
      }
    }
    out.sort(Comparator.comparingLong(BindingRules.PendingChange::at));
    return out;
  }

  /**
   * The incidents still firing, as of the stream time, with their counts so far; a conflict that an
   * ARP poisoning explains is in the poisoning, not listed again.
   */
  public List<Alert> stillFiring() {
    BindingRules rules = new BindingRules(config, ip -> null);
    long now = streamTime();
    List<Alert> out = new ArrayList<>();
    Map<String, Alert> perIp = new java.util.HashMap<>();
    for (IpState s : all(ipStates)) {
      String claimer = BindingRules.conflictClaimer(s);
      MacState m = claimer == null ? null : macStates.get(claimer);
      boolean folded = m != null && m.poisoning != null && m.impersonations.containsKey(s.ip);
      for (Alert a : rules.openAsOf(s, now)) {
        perIp.put(a.fingerprint(), a);
        if (!(folded && a.kind().equals(BindingRules.IP_CONFLICT))) {
          out.add(a);
        }
      }
    }
    // a poisoning's counts are those of its impersonations as they stand at the end
    KeyValueStore<String, ValueAndTimestamp<InventoryEntry>> inventory =
        context.getStateStore(DetectionSupplier.INVENTORY_STORE);
    ImpostorRules impostorRules =
        new ImpostorRules(
            config,
            ip -> {
              ValueAndTimestamp<InventoryEntry> e = inventory.get(ip);
              return e == null || e.value() == null ? null : e.value().name();
            });
    for (MacState m : all(macStates)) {
      if (m.poisoning != null) {
        m.impersonations.forEach(
            (ip, i) -> {
              String kind =
                  i.kind == Claim.Kind.SPOOF
                      ? BindingRules.ADDRESS_SPOOF
                      : BindingRules.IP_CONFLICT;
              Alert fresh = perIp.get(kind + ":" + ip);
              if (fresh != null) {
                i.last = fresh;
              }
            });
        out.add(impostorRules.asOf(m, now));
      }
    }
    out.sort(Comparator.comparing(Alert::startedAt).thenComparing(Alert::fingerprint));
    return out;
  }

  private static <V> List<V> all(ObjectStore<String, V> store) {
    List<V> out = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, V> kv = it.next();
        out.add(kv.value);
      }
    }
    return out;
  }
}
