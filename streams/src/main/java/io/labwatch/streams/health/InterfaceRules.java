package io.labwatch.streams.health;

import io.labwatch.events.Alert;
import io.labwatch.events.Evidence;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.InterfaceCounters.OperStatus;
import io.labwatch.events.Severity;
import io.labwatch.streams.HealthConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules over one router or switch interface's polls ({@code labwatch.snmp}, {@link
 * InterfaceCounters}): its utilisation in and out against its speed and its errors and discards per
 * second, each a {@link Series} against its baseline ({@code LOAD_SPIKE}, {@code
 * INTERFACE_ERRORS}); {@code LINK_DOWN} when it goes down after it was up, {@code LINK_FLAPPING}
 * when its status changes too often.
 *
 * <p>Rates: 64-bit counters that go back are resets, 32-bit ones wraps unless faster than the
 * interface could count; an agent restart ({@code sysUpTime} back) or a counter discontinuity
 * ({@code ifCounterDiscontinuityTime} moved) gives no rate for that poll ({@link CounterRate}).
 */
public final class InterfaceRules {

  public static final String LINK_DOWN = "LINK_DOWN";
  public static final String LINK_FLAPPING = "LINK_FLAPPING";

  private final HealthConfig config;
  private final Series.Rules rules;

  public InterfaceRules(HealthConfig config) {
    this.config = config;
    this.rules = config.rules();
  }

  /** What is kept of one interface. */
  public static final class InterfaceState {
    public String key;
    public long lastAt;
    public long sysUpTime;
    public Long discontinuity;
    public TreeMap<String, Long> counters = new TreeMap<>();
    public TreeMap<String, Series> series = new TreeMap<>();
    public TreeMap<String, Alert> firing = new TreeMap<>();
    public OperStatus status;
    public boolean wasUp;

    /** When its status changed, within the flap window (ms). */
    public List<Long> changes = new ArrayList<>();

    public Alert down;
    public Alert flapping;

    /** Polls in a row that found it up, while it is LINK_DOWN. */
    public int upPolls;

    public InterfaceState() {}

    InterfaceState(String key) {
      this.key = key;
    }
  }

  public static InterfaceState newState(String key) {
    return new InterfaceState(key);
  }

  public List<Alert> onCounters(InterfaceState s, InterfaceCounters c) {
    long t = c.eventTime().toEpochMilli();
    List<Alert> out = new ArrayList<>();
    if (t <= s.lastAt) {
      return out;
    }
    double seconds = s.lastAt == 0 ? 0 : (t - s.lastAt) / 1000.0;
    boolean restarted =
        s.lastAt != 0
            && (CounterRate.agentRestarted(s.sysUpTime, c.sysUpTime(), seconds)
                || (c.discontinuityTime() != null
                    && s.discontinuity != null
                    && !c.discontinuityTime().equals(s.discontinuity)));
    String name = c.ifName() != null ? c.ifName() : "ifIndex " + c.ifIndex();
    String where = name + " of " + c.sensorId();
    Double bytesPerSecond =
        c.speedMbps() == null || c.speedMbps() == 0 ? null : c.speedMbps() * 125_000.0;
    double maxOctets = bytesPerSecond == null ? Double.POSITIVE_INFINITY : bytesPerSecond * 1.5;
    double maxPackets =
        bytesPerSecond == null ? Double.POSITIVE_INFINITY : bytesPerSecond / 64 * 1.5;
    InterfaceCounters.Counters k = c.counters();
    TreeMap<String, Long> counters = new TreeMap<>();
    Map<String, Double> values = new TreeMap<>();
    double in =
        CounterRate.between(
            s.counters,
            counters,
            "in",
            k.inOctets(),
            c.counterBits(),
            seconds,
            restarted,
            maxOctets);
    double outRate =
        CounterRate.between(
            s.counters,
            counters,
            "out",
            k.outOctets(),
            c.counterBits(),
            seconds,
            restarted,
            maxOctets);
    if (bytesPerSecond != null) {
      if (!Double.isNaN(in)) {
        values.put("in", in / bytesPerSecond);
      }
      if (!Double.isNaN(outRate)) {
        values.put("out", outRate / bytesPerSecond);
      }
    }
    double errors = 0;
    boolean anyErrors = false;
    String[] names = {"in-errors", "out-errors", "in-discards", "out-discards"};
    Long[] raw = {k.inErrors(), k.outErrors(), k.inDiscards(), k.outDiscards()};
    for (int i = 0; i < names.length; i++) {
      double r =
          CounterRate.between(
              s.counters, counters, names[i], raw[i], 32, seconds, restarted, maxPackets);
      if (!Double.isNaN(r)) {
        errors += r;
        anyErrors = true;
      }
    }
    if (anyErrors) {
      values.put("errors", errors);
    }
    s.counters = counters;
    s.lastAt = t;
    s.sysUpTime = c.sysUpTime();
    s.discontinuity = c.discontinuityTime();

    for (Map.Entry<String, Double> v : values.entrySet()) {
      String series = v.getKey();
      boolean isErrors = series.equals("errors");
      Series.Level level = isErrors ? config.interfaceErrors() : config.interfaceUtilization();
      Series x = s.series.computeIfAbsent(series, n -> new Series());
      Series.Change change = x.observe(v.getValue(), t, level, rules);
      Alert a = tell(s, c, series, isErrors, where, x, change);
      if (a != null) {
        out.add(a);
      }
    }
    link(s, c, where, t, out);
    return out;
  }

  private Alert tell(
      InterfaceState s,
      InterfaceCounters c,
      String series,
      boolean isErrors,
      String where,
      Series x,
      Series.Change change) {
    if (change == Series.Change.NONE) {
      return null;
    }
    return new SpikeAlerts(
            isErrors ? HostRules.INTERFACE_ERRORS : HostRules.LOAD_SPIKE,
            s.key + (isErrors ? "" : ":" + series),
            isErrors ? "errors and discards on " + where : "traffic " + series + " on " + where,
            v -> value(isErrors, v),
            labels(c),
            c.speedMbps() == null ? Map.of() : Map.of("speed", c.speedMbps() + " Mbit/s"))
        .tell(s.firing, series, x, change, c.eventTime());
  }

  private static Map<String, String> labels(InterfaceCounters c) {
    Map<String, String> labels = new TreeMap<>();
    labels.put("device", c.sensorId());
    labels.put("ifIndex", Integer.toString(c.ifIndex()));
    if (c.ifName() != null) {
      labels.put("interface", c.ifName());
    }
    return labels;
  }

  private static String value(boolean errors, double v) {
    return errors ? Texts.number(v) + "/s" : Texts.percent(v);
  }

  private void link(InterfaceState s, InterfaceCounters c, String where, long t, List<Alert> out) {
    OperStatus now = c.operStatus();
    if (now == null) {
      return;
    }
    Instant at = c.eventTime();
    long window = config.linkFlapWindow().toMillis();
    s.changes.removeIf(x -> x < t - window);
    boolean changed = s.status != null && s.status != now;
    if (changed) {
      s.changes.add(t);
    }
    boolean down = now == OperStatus.DOWN || now == OperStatus.LOWER_LAYER_DOWN;
    if (s.flapping == null && s.changes.size() >= config.linkFlaps()) {
      s.flapping =
          Alert.firing(
              LINK_FLAPPING,
              s.key,
              Severity.WARNING,
              where
                  + " is flapping: "
                  + s.changes.size()
                  + " status changes in "
                  + io.labwatch.streams.bindings.AlertTexts.duration(config.linkFlapWindow()),
              new Evidence(
                  List.of(),
                  (long) s.changes.size(),
                  Map.of("window", config.linkFlapWindow().toString(), "status", now.name())),
              labels(c),
              at);
      out.add(s.flapping);
    } else if (s.flapping != null && s.changes.isEmpty() && !down) {
      out.add(s.flapping.resolved(where + " stable again (" + now + ")", at));
      s.flapping = null;
    }
    if (down && s.wasUp && s.down == null && s.flapping == null) {
      s.down =
          Alert.firing(
              LINK_DOWN,
              s.key,
              Severity.WARNING,
              where + " is down (" + now + ")",
              new Evidence(List.of(), null, Map.of("status", now.name())),
              labels(c),
              at);
      out.add(s.down);
    } else if (s.down != null) {
      // (up for as many polls as a spike must be quiet: a link that bounces is one incident)
      s.upPolls = now == OperStatus.UP ? s.upPolls + 1 : 0;
      if (s.upPolls >= config.samples()) {
        out.add(s.down.resolved(where + " is up again", at));
        s.down = null;
        s.upPolls = 0;
      }
    }
    if (now == OperStatus.UP) {
      s.wasUp = true;
    }
    s.status = now;
  }
}
