package io.labwatch.app.report;

import io.labwatch.app.kafka.TimeRangeReader;
import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.HostMetrics;
import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.Segments;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import io.labwatch.events.Vendors;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Gathers a {@link ReportData} from the kept topics: the incident from {@code alerts}, then the
 * claims on its address, the sensors' heartbeats, the probes of the address and its host's load
 * from {@code arp} and {@code host} over the incident's time, with a margin either side.
 */
public final class ReportCollector {

  /** Claims drawn at most; beyond it, every n-th (flips always). */
  static final int MAX_CLAIMS = 100_000;

  private final Map<String, Object> clientProperties;
  private final Topics topics;

  public ReportCollector(Map<String, Object> clientProperties, Topics topics) {
    this.clientProperties = clientProperties;
    this.topics = topics;
  }

  /**
   * The report of one incident: {@code id} is an incident id ({@code KIND:subject@start}) or a
   * fingerprint ({@code KIND:subject}: its latest incident).
   *
   * @throws LabwatchException when no incident has that id
   */
  public ReportData incident(String id, Instant now) {
    List<Alert> all = alerts(Instant.EPOCH, now.plus(Duration.ofDays(1)));
    Alert latest = null;
    for (Alert a : all) {
      boolean match = a.incidentId().equals(id) || a.fingerprint().equals(id);
      if (match && (latest == null || !a.startedAt().isBefore(latest.startedAt()))) {
        latest = a;
      }
    }
    if (latest == null) {
      throw new LabwatchException(unknown(id, all, topics.alerts().name()));
    }
    Instant start = latest.startedAt();
    // a firing incident's axis ends at its latest evidence (the claims go on while it fires: the
    // page shows up to then), not at the moment the report is made
    Instant end = latest.endedAt() != null ? latest.endedAt() : latest.updatedAt();
    if (latest.endedAt() == null) {
      for (io.labwatch.events.Evidence.MacEvidence m : latest.evidence().macs()) {
        if (m.lastSeen() != null && m.lastSeen().isAfter(end) && !m.lastSeen().isAfter(now)) {
          end = m.lastSeen();
        }
      }
    }
    Duration margin = margin(Duration.between(start, end));
    Set<String> addresses = new LinkedHashSet<>();
    addIfAddress(latest.subject(), addresses);
    if (addresses.isEmpty()) {
      // a poisoning's subject is a MAC: the addresses it took are in its facts
      latest.evidence().facts().values().forEach(v -> addAddresses(v, addresses));
    }
    String title = latest.kind() + " " + latest.subject();
    Instant axisFrom = start.minus(margin).truncatedTo(ChronoUnit.SECONDS);
    Instant axisTo = end.plus(margin).plusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
    return collect(title, latest, axisFrom, axisTo, addresses, all);
  }

  /**
   * The report of a time range: of {@code ips}, or of the addresses the range's alerts are about.
   */
  public ReportData range(Instant from, Instant to, List<String> ips) {
    List<Alert> all = alerts(Instant.EPOCH, to.plus(Duration.ofDays(1)));
    Set<String> addresses = new LinkedHashSet<>(ips);
    if (addresses.isEmpty()) {
      for (Alert a : all) {
        if (inRange(a, from, to)) {
          addIfAddress(a.subject(), addresses);
        }
      }
    }
    if (addresses.size() > 8) {
      Set<String> first = new LinkedHashSet<>(new ArrayList<>(addresses).subList(0, 8));
      addresses = first;
    }
    String title = "labwatch " + from + " – " + to;
    return collect(title, null, from, to, addresses, all);
  }

  private ReportData collect(
      String title, Alert incident, Instant from, Instant to, Set<String> ips, List<Alert> all) {
    // observations by their key (an address outside the default segment has its segment in it);
    // probes and host samples by address, which hosts report without a segment: the default's
    Set<String> wantedKeys = new LinkedHashSet<>();
    Set<IpAddress> wanted = new LinkedHashSet<>();
    for (String ip : ips) {
      wantedKeys.add(Segments.canonical(ip));
      if (Segments.segment(ip) == null) {
        wanted.add(IpAddress.of(ip));
      }
    }
    Map<String, Integer> laneOf = new LinkedHashMap<>();
    List<LaneBuilder> lanes = new ArrayList<>();
    List<ReportData.Claim> claims = new ArrayList<>();
    Map<String, String> lastMacOf = new HashMap<>();
    Map<String, SensorBuilder> sensors = new LinkedHashMap<>();
    List<ReportData.Probe> probes = new ArrayList<>();
    Map<String, List<ReportData.LoadPoint>> load = new LinkedHashMap<>();
    Deserializer<SensorEvent> arp = topics.arp().valueSerde().deserializer();
    Deserializer<SensorEvent> host = topics.host().valueSerde().deserializer();
    List<String> names = List.of(topics.arp().name(), topics.host().name());
    long[] kept = {0};
    try (TimeRangeReader reader =
        new TimeRangeReader(clientProperties, names, from, to, "labwatch-report")) {
      reader.forEach(
          (ConsumerRecord<byte[], byte[]> r) -> {
            boolean isArp = r.topic().equals(topics.arp().name());
            SensorEvent e;
            try {
              e = (isArp ? arp : host).deserialize(r.topic(), r.value());
            } catch (RuntimeException undecodable) {
              return; // dead-lettered by the live detection; nothing to draw
            }
            if (e instanceof Heartbeat h) {
              sensors
                  .computeIfAbsent(
                      (isArp ? "arp" : "host") + "/" + h.sensorId(),
                      k -> new SensorBuilder(h.sensorId(), isArp ? "arp" : "host", h.intervalMs()))
                  .beat(h.eventTime());
            } else if (e instanceof ArpObservation o && wantedKeys.contains(o.key())) {
              MacAddress mac = o.senderMac();
              if (mac == null) {
                return;
              }
              String ip = o.key();
              String laneKey = ip + " " + mac;
              Integer lane = laneOf.get(laneKey);
              if (lane == null) {
                lane = lanes.size();
                laneOf.put(laneKey, lane);
                lanes.add(new LaneBuilder(ip, mac));
              }
              boolean claimsIt = o.packetClass() != PacketClass.PROBE;
              String previous = claimsIt ? lastMacOf.put(ip, mac.toString()) : null;
              boolean flip = previous != null && !previous.equals(mac.toString());
              lanes.get(lane).add(o, flip);
              claims.add(
                  new ReportData.Claim(o.eventTime(), lane, o.packetClass(), o.sensorId(), flip));
              kept[0]++;
            } else if (e instanceof ProbeResult p && p.ip() != null && wanted.contains(p.ip())) {
              String answered = p.mac() == null ? null : p.mac().toString();
              Integer lane = answered == null ? null : laneOf.get(p.ip() + " " + answered);
              probes.add(
                  new ReportData.Probe(
                      p.eventTime(),
                      p.ip().toString(),
                      p.kind().name().toLowerCase(java.util.Locale.ROOT)
                          + (p.port() == null ? "" : "/" + p.port()),
                      p.ok(),
                      p.latencyUs() / 1000.0,
                      p.error() == null
                          ? null
                          : p.error().name().toLowerCase(java.util.Locale.ROOT),
                      answered,
                      lane == null ? -1 : lane));
            } else if (e instanceof HostMetrics m && holds(m, wanted)) {
              Double busy =
                  m.cpu() == null || m.cpu().total() == null ? null : m.cpu().total().busy();
              Double perCore =
                  m.load() == null || m.cpu() == null || m.cpu().cores().isEmpty()
                      ? null
                      : m.load().one() / m.cpu().cores().size();
              load.computeIfAbsent(m.sensorId(), k -> new ArrayList<>())
                  .add(new ReportData.LoadPoint(m.eventTime(), busy, perCore));
            }
          },
          () -> false);
    }
    Set<String> macs = new TreeSet<>();
    lanes.forEach(l -> macs.add(l.mac.toString()));
    List<Alert> alerts = new ArrayList<>();
    for (Alert a : all) {
      boolean about =
          ips.contains(a.subject())
              || macs.contains(a.subject())
              || ips.contains(a.labels().get("ip")) // a service of the address: 10.77.0.10/ssh
              || (incident != null && a.incidentId().equals(incident.incidentId()));
      if (about && inRange(a, from, to)) {
        alerts.add(a);
      }
    }
    alerts.sort(Comparator.comparing(Alert::updatedAt).thenComparing(Alert::fingerprint));
    long truncated = 0;
    List<ReportData.Claim> drawn = claims;
    if (claims.size() > MAX_CLAIMS) {
      int every = (int) Math.ceil(claims.size() / (double) MAX_CLAIMS);
      List<ReportData.Claim> thinned = new ArrayList<>();
      for (int i = 0; i < claims.size(); i++) {
        ReportData.Claim c = claims.get(i);
        if (c.flip() || i % every == 0) {
          thinned.add(c);
        }
      }
      truncated = claims.size() - thinned.size();
      drawn = thinned;
    }
    List<ReportData.HostLoad> hosts = new ArrayList<>();
    load.forEach((h, points) -> hosts.add(new ReportData.HostLoad(h, points)));
    List<ReportData.SensorTrack> tracks = new ArrayList<>();
    sensors.values().forEach(s -> tracks.add(s.build(from, to)));
    return new ReportData(
        title,
        incident,
        from,
        to,
        List.copyOf(ips),
        lanes.stream().map(LaneBuilder::build).toList(),
        drawn,
        alerts,
        tracks,
        probes,
        hosts,
        commands(from, to, ips),
        truncated);
  }

  private List<String> commands(Instant from, Instant to, Set<String> ips) {
    List<String> out = new ArrayList<>();
    String prefix =
        topics.prefix().equals(Topics.DEFAULT_PREFIX) ? "" : " --topic-prefix " + topics.prefix();
    out.add("labwatch replay --from " + from + " --to " + to + prefix);
    for (String ip : ips) {
      out.add("labwatch tail arp --from " + from + " --to " + to + " --key " + ip + prefix);
    }
    out.add("labwatch tail alerts --from " + from + " --to " + to + prefix);
    return out;
  }

  private List<Alert> alerts(Instant from, Instant to) {
    List<Alert> out = new ArrayList<>();
    Deserializer<Alert> d = topics.alerts().valueSerde().deserializer();
    try (TimeRangeReader reader =
        new TimeRangeReader(
            clientProperties, List.of(topics.alerts().name()), from, to, "labwatch-report")) {
      reader.forEach(
          r -> {
            try {
              Alert a = d.deserialize(r.topic(), r.value());
              if (a != null) {
                out.add(a);
              }
            } catch (RuntimeException undecodable) {
              // not an alert labwatch can read; not part of any report
            }
          },
          () -> false);
    }
    return out;
  }

  private static boolean inRange(Alert a, Instant from, Instant to) {
    Instant end = a.endedAt() != null ? a.endedAt() : a.updatedAt();
    return !a.startedAt().isAfter(to) && !end.isBefore(from);
  }

  private static boolean holds(HostMetrics m, Set<IpAddress> wanted) {
    if (m.interfaces() == null) {
      return false;
    }
    for (HostMetrics.NetInterface i : m.interfaces()) {
      if (i.addresses() != null) {
        for (IpAddress a : i.addresses()) {
          if (wanted.contains(a)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Either side of an incident: a fifth of its length, at least 2 minutes, at most 1 hour. */
  static Duration margin(Duration incident) {
    Duration m = incident.dividedBy(5);
    if (m.compareTo(Duration.ofMinutes(2)) < 0) {
      return Duration.ofMinutes(2);
    }
    return m.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : m;
  }

  private static void addIfAddress(String s, Set<String> out) {
    try {
      out.add(Segments.canonical(s)); // an address, or an address in a segment
    } catch (IllegalArgumentException notAnAddress) {
      // a MAC, a device, a host: no bindings to draw
    }
  }

  private static void addAddresses(String text, Set<String> out) {
    for (String word : text.split("[\\s,;()]+")) {
      if (word.indexOf('.') > 0 || word.indexOf(':') > 0 && word.length() < 40) {
        if (!word.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
          addIfAddress(word, out);
        }
      }
    }
  }

  private static String unknown(String id, List<Alert> all, String topic) {
    if (all.isEmpty()) {
      return "no incident " + id + ": " + topic + " is empty";
    }
    String subject = id.contains(":") ? id.substring(id.indexOf(':') + 1) : id;
    int at = subject.indexOf('@');
    String bare = at > 0 ? subject.substring(0, at) : subject;
    Set<String> near = new TreeSet<>();
    for (Alert a : all) {
      if (a.subject().equals(bare) || a.incidentId().startsWith(id)) {
        near.add(a.incidentId());
      }
    }
    String hint =
        near.isEmpty()
            ? "`labwatch tail alerts --from-beginning --exit-at-end` lists the incidents"
            : "incidents of "
                + bare
                + ": "
                + String.join(", ", List.copyOf(near).subList(0, Math.min(5, near.size())));
    return "no incident "
        + id
        + " in "
        + topic
        + " (ids look like IP_CONFLICT:10.77.0.10@2026-11-25T14:02:11Z); "
        + hint;
  }

  private static final class LaneBuilder {
    final String ip;
    final MacAddress mac;
    long claims;
    long flips;
    Instant first;
    Instant last;
    final Set<String> sensors = new TreeSet<>();
    final Map<PacketClass, Long> counts = new EnumMap<>(PacketClass.class);

    LaneBuilder(String ip, MacAddress mac) {
      this.ip = ip;
      this.mac = mac;
    }

    void add(ArpObservation o, boolean flip) {
      claims++;
      if (flip) {
        flips++;
      }
      if (first == null || o.eventTime().isBefore(first)) {
        first = o.eventTime();
      }
      if (last == null || o.eventTime().isAfter(last)) {
        last = o.eventTime();
      }
      sensors.add(o.sensorId());
      counts.merge(o.packetClass(), 1L, Long::sum);
    }

    ReportData.Lane build() {
      return new ReportData.Lane(
          ip,
          mac.toString(),
          Vendors.describe(mac),
          claims,
          first,
          last,
          List.copyOf(sensors),
          counts,
          flips);
    }
  }

  private static final class SensorBuilder {
    final String sensor;
    final String source;
    final long intervalMs;
    final List<Instant> beats = new ArrayList<>();

    SensorBuilder(String sensor, String source, long intervalMs) {
      this.sensor = sensor;
      this.source = source;
      this.intervalMs = intervalMs;
    }

    void beat(Instant at) {
      if (beats.isEmpty() || !beats.get(beats.size() - 1).equals(at)) {
        beats.add(at);
      }
    }

    ReportData.SensorTrack build(Instant from, Instant to) {
      beats.sort(null);
      List<ReportData.Gap> gaps = new ArrayList<>();
      long limit = Math.max(1, intervalMs) * 5 / 2;
      for (int i = 1; i < beats.size(); i++) {
        Instant a = beats.get(i - 1);
        Instant b = beats.get(i);
        if (Duration.between(a, b).toMillis() > limit) {
          gaps.add(new ReportData.Gap(a, b));
        }
      }
      List<Instant> drawn = beats;
      if (beats.size() > 5_000) {
        // the marks of a long range: every n-th (the gaps are exact)
        int every = beats.size() / 5_000 + 1;
        drawn = new ArrayList<>();
        for (int i = 0; i < beats.size(); i += every) {
          drawn.add(beats.get(i));
        }
      }
      return new ReportData.SensorTrack(sensor, source, intervalMs, List.copyOf(drawn), gaps);
    }
  }
}
