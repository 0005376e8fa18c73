package io.labwatch.producers.arp;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeRequest;
import io.labwatch.producers.publish.EventPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the detection's {@link ProbeRequest}s: for an IP it suspects of a conflict, each capture
 * interface that may send on the IP's network ({@link Prober#choose}) asks "who has it?" twice, a
 * second apart, and a second after the second request says who answered. On that interface it
 * publishes, keyed by the IP, {@link ArpProbe#sent} before the first request leaves and {@link
 * ArpProbe#done} with the MACs whose ARP replies for the IP its capture saw in between; the replies
 * themselves are published by the capture as usual, in between the two.
 *
 * <p>Interfaces with an address in the IP's subnet are preferred; only when none has one do
 * interfaces without any IPv4 address send an RFC 5227 probe (sender 0.0.0.0), which Linux hosts
 * answer too. Requests older than {@code maxRequestAge} by the wall clock, for other networks or
 * for an interface's own address are skipped; so are those over the {@link ProbeLimiter}'s limits.
 * All of them are counted ({@link #counts()}).
 */
final class Confirmer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Confirmer.class);

  /** Requests per run. */
  static final int REQUESTS = 2;

  /** Between the requests of a run, and from the last request to the end of listening. */
  static final Duration SPACING = Duration.ofSeconds(1);

  /**
   * One capture interface that can send, with what it needs to choose and to probe, and the segment
   * it is in ({@code sensor.arp.segment}; null: the default segment): it answers the requests of
   * that segment only, for it asks untagged, into its own broadcast domain.
   */
  record Station(
      String sensorId,
      Prober prober,
      Supplier<List<Interfaces.Ipv4Address>> addresses,
      String segment) {

    Station(String sensorId, Prober prober, Supplier<List<Interfaces.Ipv4Address>> addresses) {
      this(sensorId, prober, addresses, null);
    }

    String iface() {
      return prober.iface();
    }
  }

  private final ArpSensorConfig.Confirm config;
  private final Map<String, Station> stations = new LinkedHashMap<>();
  private final Map<String, Map<IpAddress, Run>> active = new ConcurrentHashMap<>();
  private final EventPublisher publisher;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Duration spacing;
  private final ProbeLimiter limiter;
  private final LongAdder requests = new LongAdder();
  private final LongAdder runs = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicBoolean rateLimitLogged = new AtomicBoolean();
  private volatile boolean closed;

  Confirmer(
      ArpSensorConfig.Confirm config,
      List<Station> stations,
      EventPublisher publisher,
      Clock clock,
      LongSupplier nanoTime,
      Duration spacing) {
    this.config = config;
    for (Station s : stations) {
      this.stations.put(s.iface(), s);
      this.active.put(s.iface(), new ConcurrentHashMap<>());
    }
    this.publisher = publisher;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.spacing = spacing;
    this.limiter =
        new ProbeLimiter(config.perIpInterval(), config.ratePerSecond(), config.maxInFlight());
  }

  Confirmer(
      ArpSensorConfig.Confirm config,
      List<Station> stations,
      EventPublisher publisher,
      Clock clock) {
    this(config, stations, publisher, clock, System::nanoTime, SPACING);
  }

  List<String> interfaces() {
    return List.copyOf(stations.keySet());
  }

  /** One request, from the reader's thread: decides, and starts a run when it may. */
  void onRequest(ProbeRequest request) {
    requests.increment();
    if (closed) {
      skipped.increment();
      return;
    }
    IpAddress ip = request.ip();
    if (stations.values().stream()
        .noneMatch(st -> Objects.equals(st.segment(), request.segment()))) {
      skipped.increment();
      log.debug("probe request for {} skipped: another segment's", request.key());
      return;
    }
    Instant now = clock.instant();
    Duration age = Duration.between(request.requestedAt(), now);
    if (age.compareTo(config.maxRequestAge()) > 0) {
      skipped.increment();
      log.debug("probe request for {} skipped: {} old", ip, age);
      return;
    }
    List<Station> from = new ArrayList<>();
    List<Prober.Choice> how = new ArrayList<>();
    if (!chooseStations(ip, from, how)) {
      skipped.increment();
      return;
    }
    ProbeLimiter.Verdict verdict = limiter.tryStart(ip, nanoTime.getAsLong());
    if (verdict != ProbeLimiter.Verdict.RUN) {
      rateLimited.increment();
      if (verdict != ProbeLimiter.Verdict.SAME_IP && rateLimitLogged.compareAndSet(false, true)) {
        log.info(
            "more probe requests than sensor.arp.confirm allows ({}/s, {} at once): the excess is"
                + " skipped and counted",
            config.ratePerSecond(),
            config.maxInFlight());
      }
      return;
    }
    runs.increment();
    log.debug("confirming {} ({}) from {}", ip, request.reason(), from);
    AtomicInteger left = new AtomicInteger(from.size());
    Runnable oneDone =
        () -> {
          if (left.decrementAndGet() == 0) {
            limiter.done();
          }
        };
    for (int i = 0; i < from.size(); i++) {
      start(from.get(i), how.get(i).senderIp(), ip, oneDone);
    }
  }

  /**
   * The interfaces to probe {@code ip} from: those with an address in its subnet, else those
   * without any IPv4; none if it is an interface's own address.
   */
  private boolean chooseStations(IpAddress ip, List<Station> from, List<Prober.Choice> how) {
    List<Station> unnumbered = new ArrayList<>();
    List<Prober.Choice> unnumberedHow = new ArrayList<>();
    for (Station s : stations.values()) {
      if (s.prober().broken()) {
        continue;
      }
      Prober.Choice c = Prober.choose(s.addresses().get(), ip);
      if (c.skip() == Prober.Choice.Skip.OWN_ADDRESS || c.skip() == Prober.Choice.Skip.NOT_IPV4) {
        from.clear();
        log.debug("probe request for {} skipped on {}: {}", ip, s.iface(), c.skip());
        return false;
      }
      if (!c.sends()) {
        continue;
      }
      if (c.isRfc5227Probe()) {
        unnumbered.add(s);
        unnumberedHow.add(c);
      } else {
        from.add(s);
        how.add(c);
      }
    }
    if (from.isEmpty()) {
      from.addAll(unnumbered);
      how.addAll(unnumberedHow);
    }
    if (from.isEmpty()) {
      log.debug("probe request for {} skipped: no interface of this sensor sends there", ip);
    }
    return !from.isEmpty();
  }

  /** One run on one interface: SENT, a request, another after {@code spacing}, DONE after that. */
  private void start(Station station, IpAddress senderIp, IpAddress ip, Runnable onDone) {
    Prober prober = station.prober();
    Run run = new Run(station, ip, onDone);
    active.get(station.iface()).put(ip, run);
    byte[] frame = prober.request(senderIp, ip);
    try {
      prober.scheduler().execute(() -> run.begin(frame));
      for (int i = 1; i < REQUESTS; i++) {
        prober
            .scheduler()
            .schedule(() -> run.send(frame), spacing.toNanos() * i, TimeUnit.NANOSECONDS);
      }
      prober.scheduler().schedule(run::finish, spacing.toNanos() * REQUESTS, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the sensor is stopping
      run.finish();
    }
  }

  /** From a capture thread, after it handed {@code o} to the publisher. */
  void onObservation(String iface, ArpObservation o) {
    if (o.packetClass() != PacketClass.REPLY) {
      return;
    }
    Map<IpAddress, Run> runs = active.get(iface);
    Run run = runs == null ? null : runs.get(o.senderIp());
    // (a reply tagged with a VLAN, on a trunk, is another broadcast domain's address: not an answer
    // to the untagged request)
    if (run != null && Objects.equals(o.segmentName(), run.station.segment())) {
      run.answered(o.senderMac());
    }
  }

  ProbeCounts counts() {
    return new ProbeCounts(
        requests.sum(), runs.sum(), rateLimited.sum(), skipped.sum(), failed.sum());
  }

  private void publish(ArpProbe p) {
    try {
      publisher.probe(p);
    } catch (RuntimeException e) {
      log.debug("probe record for {} not handed to the publisher: {}", p.ip(), e.toString());
    }
  }

  /** Ends the runs under way, each with its DONE. */
  @Override
  public void close() {
    closed = true;
    active.values().forEach(m -> List.copyOf(m.values()).forEach(Run::finish));
  }

  /** One probe run on one interface. */
  private final class Run {
    private final Station station;
    private final IpAddress ip;
    private final Runnable onDone;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean failedOnce = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final LinkedHashSet<MacAddress> answeredBy = new LinkedHashSet<>();
    private final Object phase = new Object();
    private boolean began;

    Run(Station station, IpAddress ip, Runnable onDone) {
      this.station = station;
      this.ip = ip;
      this.onDone = onDone;
    }

    /** SENT, handed to the producer before the request leaves, so it precedes every reply. */
    void begin(byte[] frame) {
      synchronized (phase) {
        if (finished.get()) {
          return;
        }
        began = true;
        publish(
            ArpProbe.sent(
                    clock.instant(),
                    station.sensorId(),
                    station.iface(),
                    ip,
                    station.prober().mac())
                .inSegment(station.segment()));
      }
      send(frame);
    }

    void send(byte[] frame) {
      if (finished.get()) {
        return;
      }
      if (station.prober().send(frame, ip)) {
        sent.incrementAndGet();
      } else if (failedOnce.compareAndSet(false, true)) {
        failed.increment();
      }
    }

    /** From a capture thread: never waits for the publisher. */
    void answered(MacAddress mac) {
      synchronized (answeredBy) {
        if (!finished.get()) {
          answeredBy.add(mac);
        }
      }
    }

    void finish() {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      active.get(station.iface()).remove(ip, this);
      List<MacAddress> who;
      boolean wasSent;
      synchronized (phase) {
        wasSent = began;
      }
      synchronized (answeredBy) {
        who = List.copyOf(answeredBy);
      }
      if (wasSent) {
        publish(
            ArpProbe.done(
                    clock.instant(),
                    station.sensorId(),
                    station.iface(),
                    ip,
                    station.prober().mac(),
                    sent.get(),
                    who)
                .inSegment(station.segment()));
      }
      onDone.run();
    }
  }
}
