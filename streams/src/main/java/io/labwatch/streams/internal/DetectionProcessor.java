package io.labwatch.streams.internal;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.ProbeRequest;
import io.labwatch.events.SensorEvent;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.bindings.BindingRules;
import io.labwatch.streams.bindings.IpState;
import io.labwatch.streams.impostors.Claim;
import io.labwatch.streams.sensors.SensorLiveness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Runs the rules over the {@code arp} topic: observations and sensors' confirmation probes go to
 * the per-IP binding rules, heartbeats (those in partition 0, so each is handled once) to sensor
 * liveness. Timers run on the partition's own time ({@link #onPartitionTime}); a timer of an IP
 * that is due when its next observation arrives runs first, so alerts do not depend on how often
 * they are looked at.
 *
 * <p>It forwards three kinds of records, which the topology sends on by type: {@link Alert}s (key:
 * fingerprint) to the alerts topic, {@link Claim}s (key: MAC) to the impostor rules, and {@link
 * ProbeRequest}s (key: IP) to the probe-requests topic — the last only for claims of the present (a
 * backlog or a replay asks nothing) and at most one per IP per {@link #PROBE_SPACING_MS}.
 */
final class DetectionProcessor implements Processor<String, SensorEvent, String, Object> {

  private static final String LEARNING_SINCE = "learning-since";
  private static final String LAST_EVENT_TIME = "last-event-time";
  private static final String WATCHED_SINCE = "watched-since";

  /**
   * A pause in this task's records (observations and the heartbeats every sensor sends to every
   * partition) longer than the sensors' silence threshold, and never less than this, means nobody
   * was watching: labwatch was down, or every sensor was.
   */
  private static final long MIN_BLIND_GAP_MS = 60_000;

  private static final long CATCHING_UP_LAG_MS = 60_000;

  /** The due timers and the sensors' silence are looked at once per this much partition time. */
  static final long TIMER_RUN_MS = 1_000;

  /**
   * Live alerts ask for a commit at most this often per task (the rate of Kafka Streams' default
   * exactly-once commit interval), so that a storm of alerts cannot turn into a transaction per
   * record; an alert held back is committed by the next wall-clock tick.
   */
  static final long LIVE_COMMIT_SPACING_MS = 100;

  /**
   * How many IPs' states a detection keeps as objects, besides the store, over all its tasks; each
   * task gets its share. A bound, so that the heap does not grow with the number of addresses (its
   * size when full: BENCHMARKS.md, heap).
   */
  static final int RECENT_STATES = 49_152;

  /** A claim older than this by the wall clock is not worth asking about any more. */
  static final long PROBE_LIVE_MS = 10_000;

  /** At most one probe request per IP this often (sensors limit their probing on their own too). */
  static final long PROBE_SPACING_MS = 10_000;

  private final DetectionConfig config;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, IpState> ipStates;
  private KeyValueStore<String, String> timers;
  private KeyValueStore<String, SensorLiveness.SensorState> sensors;
  private KeyValueStore<String, Long> meta;
  private KeyValueStore<String, ValueAndTimestamp<InventoryEntry>> inventory;
  private BindingRules rules;
  private SensorLiveness liveness;
  private long learningSince = -1;
  private long lastEventTime = -1;
  private long lastEventTimeSaved = -1;
  private long heartbeatIntervalMs = 10_000;
  private long nextTimerRun;
  private long lastProcessedWall;
  private long lastCommitAsked;
  private boolean commitOwed;

  /**
   * The latest state of recently seen IPs as objects, so that the next packet of an address does
   * not decode what the last one encoded. The store stays the truth: a state is put here only after
   * it was written to the store, and one that processing failed half-way through changing is taken
   * out (so it is read from the store again); {@link #init} and {@link #close} (a task closed,
   * suspended or revived after an aborted transaction) empty it.
   */
  private final Map<String, IpState> recent =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, IpState> eldest) {
          return size() > recentStates;
        }
      };

  private final int recentStates;

  /** When each recently asked-about IP was asked about last (wall clock), bounded. */
  private final Map<String, Long> probesAsked =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > 4096;
        }
      };

  /** A processor for one of {@code tasks} tasks (the partitions of the {@code arp} topic). */
  DetectionProcessor(DetectionConfig config, int tasks) {
    this(config, tasks, true);
  }

  /**
   * The same; {@code cacheStates} false when the {@value DetectionSupplier#IP_STATE_STORE} store
   * holds the states as objects already ({@link OfflineStores}), so a cache in front of it would
   * only cost.
   */
  DetectionProcessor(DetectionConfig config, int tasks, boolean cacheStates) {
    this.config = config;
    this.recentStates = cacheStates ? Math.max(1024, RECENT_STATES / Math.max(1, tasks)) : 0;
  }

  private IpState cached(String ip) {
    return recentStates == 0 ? null : recent.get(ip);
  }

  private void remember(String ip, IpState state) {
    if (recentStates > 0) {
      recent.put(ip, state);
    }
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    recent.clear();
    lastCommitAsked = Long.MIN_VALUE / 2;
    nextTimerRun = Long.MIN_VALUE;
    commitOwed = false;
    this.ipStates = context.getStateStore(DetectionSupplier.IP_STATE_STORE);
    this.timers = context.getStateStore(DetectionSupplier.TIMER_STORE);
    this.sensors = context.getStateStore(DetectionSupplier.SENSOR_STORE);
    this.meta = context.getStateStore(DetectionSupplier.META_STORE);
    this.inventory = context.getStateStore(DetectionSupplier.INVENTORY_STORE);
    this.rules = new BindingRules(config, this::protectedEntry);
    this.liveness = new SensorLiveness(config.silentHeartbeats());
    Long since = meta.get(LEARNING_SINCE);
    learningSince = since == null ? -1 : since;
    Long last = meta.get(LAST_EVENT_TIME);
    lastEventTime = last == null ? -1 : last;
    lastEventTimeSaved = lastEventTime;
    Long watched = meta.get(WATCHED_SINCE);
    if (watched != null) {
      rules.watchedSince(watched);
    }
    context.schedule(
        Duration.ofMillis(LIVE_COMMIT_SPACING_MS),
        PunctuationType.WALL_CLOCK_TIME,
        now -> {
          if (commitOwed) {
            askForCommit(now);
          }
        });
    if (config.wallClockSilence()) {
      context.schedule(
          Duration.ofSeconds(5), PunctuationType.WALL_CLOCK_TIME, this::checkSensorsByWallClock);
    }
  }

  private InventoryEntry protectedEntry(IpAddress ip) {
    ValueAndTimestamp<InventoryEntry> v = inventory.get(ip.toString());
    return v == null ? null : v.value();
  }

  @Override
  public void process(Record<String, SensorEvent> record) {
    apply(record);
    onPartitionTime();
  }

  private void apply(Record<String, SensorEvent> record) {
    lastProcessedWall = context.currentSystemTimeMs();
    SensorEvent event = record.value();
    noticeGap(record.timestamp(), event);
    if (event instanceof Heartbeat h) {
      if (record.key() != null && partitionIsZero()) {
        heartbeat(h);
      }
      return;
    }
    if (!(event instanceof ArpObservation || event instanceof ArpProbe) || record.key() == null) {
      return;
    }
    long t = record.timestamp();
    if (learningSince < 0) {
      learningSince = t;
      meta.put(LEARNING_SINCE, t);
    }
    boolean learning = t < learningSince + config.learningPeriod().toMillis();
    String ip = record.key();
    IpState cached = cached(ip); // (access order: now the most recent)
    IpState state = cached != null ? cached : ipStates.get(ip);
    List<Object> out = new ArrayList<>();
    try {
      long oldTimer = 0;
      if (state == null) {
        state = BindingRules.newState(ip);
      } else {
        oldTimer = state.timerAt;
        if (state.timerAt != 0 && state.timerAt <= t) {
          BindingRules.Tick tick = rules.onTime(state, t);
          out.addAll(tick.out());
          if (tick.expired()) {
            state = BindingRules.newState(ip);
          }
        }
      }
      if (event instanceof ArpObservation o) {
        out.addAll(rules.onObservation(state, o, t, learning));
      } else {
        out.addAll(rules.onProbe(state, (ArpProbe) event, t));
      }
      save(ip, state, oldTimer, false);
      if (state != cached) {
        remember(ip, state);
      }
    } catch (RuntimeException e) {
      recent.remove(ip); // (it may be half-changed: the store has what counts)
      throw e;
    }
    out.forEach(this::emit);
  }

  @Override
  public void close() {
    recent.clear();
  }

  /**
   * After a pause longer than the sensors' silence threshold, what fires may not resolve before a
   * whole quiet period has been watched again: the pause was not quiet, only unseen.
   */
  private void noticeGap(long t, SensorEvent event) {
    if (event instanceof Heartbeat h) {
      heartbeatIntervalMs = h.intervalMs();
    }
    // (and never more than half the quiet period: a pause longer than that, with not even a
    // heartbeat, leaves too little of a quiet period watched — with a 30 s quiet period, a 40 s
    // restart used to resolve an incident that went on unseen, and fire it again)
    long gap =
        Math.min(
            Math.max(MIN_BLIND_GAP_MS, config.silentHeartbeats() * heartbeatIntervalMs),
            config.quietPeriod().toMillis() / 2);
    if (lastEventTime >= 0 && t - lastEventTime > gap) {
      rules.watchedSince(t);
      meta.put(WATCHED_SINCE, t);
    }
    if (t > lastEventTime) {
      lastEventTime = t;
      if (t - lastEventTimeSaved >= 1_000) { // (not a store write per record)
        meta.put(LAST_EVENT_TIME, t);
        lastEventTimeSaved = t;
      }
    }
  }

  private boolean partitionIsZero() {
    return context.recordMetadata().map(m -> m.partition() == 0).orElse(true);
  }

  private void heartbeat(Heartbeat h) {
    SensorLiveness.SensorState s = sensors.get(h.sensorId());
    if (s == null) {
      s = new SensorLiveness.SensorState();
    }
    Alert resolved = liveness.onHeartbeat(s, h);
    sensors.put(h.sensorId(), s);
    if (resolved != null) {
      emit(resolved);
    }
  }

  /**
   * Runs the due timers and the sensors' silence at this partition's own time — the latest of its
   * {@code arp} records (observations, probes, heartbeats: sensors send heartbeats so that it
   * advances on a quiet network) — after a record has moved it {@link #TIMER_RUN_MS} past the last
   * run, as a stream-time punctuation would run after it (and as {@link OfflineContext} runs one:
   * the first record sets the schedule).
   *
   * <p>Not by Kafka Streams' stream-time punctuation: the task's stream time also moves with the
   * other topics of its sub-topology, the claims, which come from every {@code arp} partition's
   * task, and the host records. Run at that time, a timer fired as soon as another partition's task
   * had got ahead; run at this partition's time but only when that stream time passed the schedule,
   * it did not fire at all while the other input stayed ahead — through to the end of a backlog, so
   * which pending MAC changes were told depended on how far apart the partitions were read
   * (bench/detect throughput at 200,000 addresses: MAC_CHANGED 69-71 from round to round). Here a
   * run depends on this partition's records alone.
   */
  private void onPartitionTime() {
    if (lastEventTime < 0) {
      return;
    }
    if (nextTimerRun == Long.MIN_VALUE) {
      nextTimerRun = lastEventTime + TIMER_RUN_MS;
    } else if (lastEventTime >= nextTimerRun) {
      runTimers(lastEventTime);
      nextTimerRun = lastEventTime + TIMER_RUN_MS;
    }
  }

  private void runTimers(long now) {
    List<KeyValue<String, String>> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it =
        timers.range(timerKey(0, ""), timerKey(now, "\uffff"))) {
      while (it.hasNext()) {
        due.add(it.next());
      }
    }
    for (KeyValue<String, String> d : due) {
      timers.delete(d.key);
      String ip = d.value;
      IpState cached = cached(ip);
      IpState state = cached != null ? cached : ipStates.get(ip);
      if (state == null || state.timerAt > now) {
        continue;
      }
      BindingRules.Tick tick;
      try {
        tick = rules.onTime(state, now);
        save(ip, state, -1, tick.expired()); // its timer key is deleted already
        if (!tick.expired() && state != cached) {
          remember(ip, state);
        }
      } catch (RuntimeException e) {
        recent.remove(ip);
        throw e;
      }
      tick.out().forEach(this::emit);
    }
    checkSensors(now);
  }

  /**
   * By the wall clock, a sensor is silent when its heartbeats stopped arriving — unless this task
   * is busy catching up on old records, when the wall clock says nothing about the sensors.
   */
  private void checkSensorsByWallClock(long wallNow) {
    boolean catchingUp =
        wallNow - context.currentStreamTimeMs() > CATCHING_UP_LAG_MS
            && wallNow - lastProcessedWall < CATCHING_UP_LAG_MS;
    if (!catchingUp) {
      checkSensors(wallNow);
    }
  }

  private void checkSensors(long now) {
    if (!partitionIsZeroForPunctuation()) {
      return;
    }
    List<KeyValue<String, SensorLiveness.SensorState>> all = new ArrayList<>();
    try (KeyValueIterator<String, SensorLiveness.SensorState> it = sensors.all()) {
      while (it.hasNext()) {
        all.add(it.next());
      }
    }
    for (KeyValue<String, SensorLiveness.SensorState> kv : all) {
      Alert fired = liveness.onTime(kv.value, now);
      if (fired != null) {
        sensors.put(kv.key, kv.value);
        emit(fired);
      }
    }
  }

  /** Sensor state lives only in partition 0's task; other tasks' stores stay empty. */
  private boolean partitionIsZeroForPunctuation() {
    return context.taskId().partition() == 0;
  }

  /**
   * Stores the state (or deletes it) and moves its timer key.
   *
   * @param oldTimer the timer the state had when read: 0 none, -1 already deleted
   */
  private void save(String ip, IpState state, long oldTimer, boolean delete) {
    if (oldTimer > 0 && oldTimer != state.timerAt) {
      timers.delete(timerKey(oldTimer, ip));
    }
    if (delete) {
      ipStates.delete(ip);
      recent.remove(ip);
      return;
    }
    ipStates.put(ip, state);
    if (state.timerAt > 0 && state.timerAt != oldTimer) {
      timers.put(timerKey(state.timerAt, ip), ip);
    }
  }

  /** Timer keys sort by due time: zero-padded epoch ms, then the IP. */
  static String timerKey(long at, String ip) {
    String digits = Long.toString(Math.max(0, at));
    StringBuilder key = new StringBuilder(16 + ip.length());
    for (int i = digits.length(); i < 15; i++) {
      key.append('0');
    }
    return key.append(digits).append('|').append(ip).toString();
  }

  /**
   * Forwards an alert, a claim or a probe request, and asks for a commit when it is about the
   * present: a record reaches {@code read_committed} readers (the sinks, the impostor rules, the
   * sensors) only once its transaction commits, and a live one should not wait for the commit
   * interval (1 s by default). At most one such commit per {@link #LIVE_COMMIT_SPACING_MS} per
   * task. While catching up on records more than a minute old (a backlog after an outage, a
   * replay), they ride the regular commits.
   */
  private void emit(Object out) {
    long now = context.currentSystemTimeMs();
    long at;
    if (out instanceof Alert a) {
      at = a.updatedAt().toEpochMilli();
      context.forward(new Record<>(a.fingerprint(), a, at));
    } else if (out instanceof Claim c) {
      at = c.at();
      context.forward(new Record<>(c.mac(), c, at));
    } else if (out instanceof ProbeRequest r) {
      at = r.requestedAt().toEpochMilli();
      String ip = r.key(); // (the IP in its segment)
      Long asked = probesAsked.get(ip);
      if (now - at >= PROBE_LIVE_MS || (asked != null && now - asked < PROBE_SPACING_MS)) {
        return; // the past is not asked about; and a flapping address not every flip
      }
      probesAsked.put(ip, now);
      context.forward(new Record<>(ip, r, at));
    } else {
      throw new IllegalStateException("the binding rules returned a " + out.getClass());
    }
    if (now - at < CATCHING_UP_LAG_MS) {
      askForCommit(now);
    }
  }

  private void askForCommit(long now) {
    if (now - lastCommitAsked >= LIVE_COMMIT_SPACING_MS) {
      context.commit();
      lastCommitAsked = now;
      commitOwed = false;
    } else {
      commitOwed = true;
    }
  }
}
