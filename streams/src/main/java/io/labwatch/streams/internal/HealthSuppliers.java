package io.labwatch.streams.internal;

import io.labwatch.events.Alert;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.IpAddress;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.health.HostHealth;
import io.labwatch.streams.health.HostRules;
import io.labwatch.streams.health.InterfaceRules;
import io.labwatch.streams.health.IpSignal;
import io.labwatch.streams.health.Reachability;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The health rules as processors, each with the store it owns: the host rules over {@code
 * labwatch.host} (key: host name), the interface rules over {@code labwatch.snmp} (key:
 * device/ifIndex), and the correlation over what is known per IP address (a repartition topic, key:
 * IP).
 */
public final class HealthSuppliers {

  public static final String HOST_STORE = "host-health";
  public static final String INTERFACE_STORE = "interface-health";
  public static final String IP_STORE = "ip-health";

  /** Output about the present asks for a commit at once (see DetectionProcessor.emit). */
  private static final long LIVE_MS = 60_000;

  private HealthSuppliers() {}

  /**
   * The host rules: a {@link HostMetrics} sample gives LOAD_SPIKE / INTERFACE_ERRORS alerts (key:
   * fingerprint) and its host's {@link HostHealth} for each of its addresses (key: IP, as an {@link
   * IpSignal}); a {@link ProbeResult} goes on to the correlation keyed by the address it probed.
   */
  public static ProcessorSupplier<String, SensorEvent, String, Object> hosts(
      DetectionConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, SensorEvent, String, Object> get() {
        return new Processor<>() {
          private ProcessorContext<String, Object> context;
          private KeyValueStore<String, HostRules.HostState> states;
          private final HostRules rules = new HostRules(config.health());

          @Override
          public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.states = context.getStateStore(HOST_STORE);
          }

          @Override
          public void process(Record<String, SensorEvent> record) {
            SensorEvent e = record.value();
            if (e instanceof ProbeResult p) {
              String ip = p.ip() != null ? p.ip().toString() : null;
              if (ip != null) {
                long at = p.eventTime().toEpochMilli();
                context.forward(new Record<>(ip, IpSignal.of(p), at));
                if (!p.ok()) {
                  commitIfLive(context, at);
                }
              }
            } else if (e instanceof HostMetrics m) {
              HostRules.HostState s = states.get(m.sensorId());
              if (s == null) {
                s = HostRules.newState(m.sensorId());
              }
              List<Object> out = rules.onMetrics(s, m);
              states.put(m.sensorId(), s);
              boolean alerted = false;
              for (Object o : out) {
                if (o instanceof Alert a) {
                  long at = a.updatedAt().toEpochMilli();
                  context.forward(new Record<>(a.fingerprint(), a, at));
                  alerted = true;
                } else if (o instanceof HostHealth h) {
                  for (IpAddress ip : h.addresses()) {
                    context.forward(
                        new Record<>(ip.toString(), IpSignal.of(h), h.at().toEpochMilli()));
                  }
                }
              }
              if (alerted) {
                commitIfLive(context, m.eventTime().toEpochMilli());
              }
            }
          }
        };
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(writeBehind(HOST_STORE, HostRules.HostState.class, true));
      }
    };
  }

  /** The interface rules: alerts (key: fingerprint). */
  public static ProcessorSupplier<String, SensorEvent, String, Alert> interfaces(
      DetectionConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, SensorEvent, String, Alert> get() {
        return new Processor<>() {
          private ProcessorContext<String, Alert> context;
          private KeyValueStore<String, InterfaceRules.InterfaceState> states;
          private final InterfaceRules rules = new InterfaceRules(config.health());

          @Override
          public void init(ProcessorContext<String, Alert> context) {
            this.context = context;
            this.states = context.getStateStore(INTERFACE_STORE);
          }

          @Override
          public void process(Record<String, SensorEvent> record) {
            if (!(record.value() instanceof InterfaceCounters c)) {
              return;
            }
            String key = c.key();
            InterfaceRules.InterfaceState s = states.get(key);
            if (s == null) {
              s = InterfaceRules.newState(key);
            }
            List<Alert> out = rules.onCounters(s, c);
            states.put(key, s);
            for (Alert a : out) {
              context.forward(new Record<>(a.fingerprint(), a, a.updatedAt().toEpochMilli()));
            }
            if (!out.isEmpty()) {
              commitIfLive(context, c.eventTime().toEpochMilli());
            }
          }
        };
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(writeBehind(INTERFACE_STORE, InterfaceRules.InterfaceState.class, true));
      }
    };
  }

  /** The correlation per IP address: alerts (key: fingerprint). */
  public static ProcessorSupplier<String, IpSignal, String, Alert> correlation(
      DetectionConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, IpSignal, String, Alert> get() {
        return new Processor<>() {
          private ProcessorContext<String, Alert> context;
          private KeyValueStore<String, Reachability.IpHealth> states;
          private final Reachability rules =
              new Reachability(config.health(), config.updateInterval());

          @Override
          public void init(ProcessorContext<String, Alert> context) {
            this.context = context;
            this.states = context.getStateStore(IP_STORE);
          }

          @Override
          public void process(Record<String, IpSignal> record) {
            IpSignal signal = record.value();
            if (signal == null || record.key() == null) {
              return;
            }
            String ip = record.key();
            Reachability.IpHealth s = states.get(ip);
            if (s == null) {
              s = Reachability.newState(ip);
            }
            List<Alert> out;
            if (signal.probe() != null) {
              out = rules.onProbe(s, signal.probe());
            } else if (signal.incident() != null) {
              out = rules.onIncident(s, signal.incident());
            } else {
              out = rules.onHost(s, signal.host());
            }
            if (s.isEmpty()) {
              states.delete(ip);
            } else {
              states.put(ip, s);
            }
            long latest = Long.MIN_VALUE;
            for (Alert a : out) {
              long at = a.updatedAt().toEpochMilli();
              context.forward(new Record<>(a.fingerprint(), a, at));
              latest = Math.max(latest, at);
            }
            if (!out.isEmpty()) {
              commitIfLive(context, latest);
            }
          }
        };
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(writeBehind(IP_STORE, Reachability.IpHealth.class, false));
      }
    };
  }

  /**
   * A store whose writes are held as objects until the task commits (see {@link WriteBehindStore}):
   * a replay writes a host's state once per commit, not once per sample, and reads it back without
   * decoding it.
   *
   * @param inMemory held in memory (with its changelog, as a persistent one) rather than in
   *     RocksDB: for the stores with one entry per host or router port, which a lab counts in tens
   *     or hundreds — a RocksDB instance less per task, which a task's start opens (about 25 ms
   *     each, one after another) and which holds memory of its own; not for one entry per address
   */
  private static <V> StoreBuilder<?> writeBehind(String name, Class<V> type, boolean inMemory) {
    return WriteBehindStore.builder(
        Stores.keyValueStoreBuilder(
                inMemory
                    ? Stores.inMemoryKeyValueStore(name)
                    : Stores.persistentKeyValueStore(name),
                Serdes.String(),
                JsonSerde.of(type))
            .withCachingDisabled());
  }

  /** Asks for a commit when what was forwarded is about the present, not a backlog or a replay. */
  private static void commitIfLive(ProcessorContext<?, ?> context, long at) {
    if (context.currentSystemTimeMs() - at < LIVE_MS) {
      context.commit();
    }
  }
}
