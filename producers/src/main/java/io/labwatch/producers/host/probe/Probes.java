package io.labwatch.producers.host.probe;

import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.ProbeResult;
import io.labwatch.events.Schema;
import io.labwatch.producers.host.probe.internal.ArpProber;
import io.labwatch.producers.host.probe.internal.IcmpProber;
import io.labwatch.producers.host.probe.internal.NeighbourTable;
import io.labwatch.producers.host.probe.internal.Outcome;
import io.labwatch.producers.host.probe.internal.ProbeUnavailable;
import io.labwatch.producers.host.probe.internal.Prober;
import io.labwatch.producers.host.probe.internal.TcpProber;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one probe and makes its {@link ProbeResult}: resolves the target, probes it ({@code tcp}: a
 * TCP connect, {@code icmp}: an ICMP echo ({@link IcmpProber}), {@code arp}: an ARP request through
 * libpcap), and for TCP and ICMP reads the kernel's neighbour entry for the address right after, so
 * the result names the MAC the probe's frames went to. Thread-safe: {@link ProbeScheduler} runs
 * probes of different targets at once.
 */
public final class Probes {

  private final String sensorId;
  private final Clock clock;
  private final Resolver resolver;
  private final Map<ProbeResult.Kind, Prober> probers;
  private final NeighbourTable neighbours;

  /** Looks host names up; a test's stand-in for DNS. */
  interface Resolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;
  }

  Probes(
      String sensorId,
      Clock clock,
      Resolver resolver,
      Map<ProbeResult.Kind, Prober> probers,
      NeighbourTable neighbours) {
    if (sensorId == null || sensorId.isBlank()) {
      throw new IllegalArgumentException("a probing sensor needs an id (its host name)");
    }
    this.sensorId = sensorId;
    this.clock = Objects.requireNonNull(clock);
    this.resolver = Objects.requireNonNull(resolver);
    this.probers = Map.copyOf(probers);
    this.neighbours = Objects.requireNonNull(neighbours);
  }

  /**
   * Probes from this host, as sensor {@code sensorId} (the host's name, the key its results are
   * published under): the system's resolver, ICMP sockets (or {@code ping}), libpcap for ARP,
   * {@code /proc/net/arp}.
   */
  public static Probes system(String sensorId) {
    return new Probes(
        sensorId,
        Clock.systemUTC(),
        host -> List.of(InetAddress.getAllByName(host)),
        Map.of(
            ProbeResult.Kind.TCP, new TcpProber(),
            ProbeResult.Kind.ICMP, new IcmpProber(),
            ProbeResult.Kind.ARP, new ArpProber()),
        NeighbourTable.proc());
  }

  public String sensorId() {
    return sensorId;
  }

  /**
   * The address {@code spec}'s host resolves to now: the first the resolver gives, the first IPv4
   * one for ARP.
   *
   * @throws LabwatchException naming the spec when it does not resolve (to IPv4, for ARP)
   */
  public IpAddress resolve(ProbeSpec spec) {
    try {
      return address(spec);
    } catch (Unresolved e) {
      throw new LabwatchException("probe '" + spec + "': " + e.getMessage(), e.getCause());
    }
  }

  /** Why a target has no address to probe. */
  private static final class Unresolved extends Exception {
    private static final long serialVersionUID = 1L;

    Unresolved(String why, Throwable cause) {
      super(why, cause);
    }
  }

  private IpAddress address(ProbeSpec spec) throws Unresolved {
    boolean arp = spec.kind() == ProbeResult.Kind.ARP;
    IpAddress literal = spec.literal();
    if (literal != null) {
      if (arp && !literal.isV4()) {
        throw new Unresolved("ARP needs an IPv4 address", null);
      }
      return literal;
    }
    List<InetAddress> all = lookUp(spec);
    for (InetAddress a : all) {
      if (!arp || a instanceof Inet4Address) {
        return IpAddress.fromBytes(a.getAddress());
      }
    }
    throw new Unresolved(
        "'" + spec.host() + "' resolves to no " + (arp ? "IPv4 " : "") + "address", null);
  }

  /** Resolvers' threads: a lookup that outlives its probe's timeout is left to end on its own. */
  private static final ExecutorService RESOLVING =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "labwatch-probe-resolve");
            t.setDaemon(true);
            return t;
          });

  /**
   * The resolver's answer for {@code spec}'s host within the probe's timeout: the system resolver
   * can take its own timeouts several times over (a DNS server that does not answer), and a probe
   * is bounded by its timeout, whatever stalls it.
   */
  private List<InetAddress> lookUp(ProbeSpec spec) throws Unresolved {
    Future<List<InetAddress>> answer = RESOLVING.submit(() -> resolver.resolve(spec.host()));
    try {
      return answer.get(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new Unresolved(
          "no answer from the resolver for '"
              + spec.host()
              + "' within "
              + spec.timeout().toMillis()
              + "ms",
          null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UnknownHostException u) {
        throw new Unresolved("cannot resolve '" + spec.host() + "' (" + u.getMessage() + ")", u);
      }
      throw new Unresolved(
          "cannot resolve '" + spec.host() + "' (" + String.valueOf(cause) + ")", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unresolved("interrupted while resolving '" + spec.host() + "'", e);
    }
  }

  /**
   * Runs {@code spec} once. Blocks for at most about twice its timeout (resolving a host name, then
   * the probe, each bounded by it). Whatever the target does, the result says it; a host name that
   * does not resolve is an UNRESOLVED result.
   *
   * @throws ProbeUnavailable (a {@link LabwatchException}) when this host cannot run this kind of
   *     probe at all — ARP without CAP_NET_RAW, no {@code ping}: nothing was sent, so nothing is
   *     known about the target
   */
  public ProbeResult run(ProbeSpec spec) {
    Instant at = clock.instant();
    long start = System.nanoTime();
    IpAddress ip;
    try {
      ip = address(spec);
    } catch (Unresolved e) {
      return ProbeResult.failed(
          at,
          sensorId,
          spec.text(),
          spec.kind(),
          null,
          spec.port(),
          Outcome.microsSince(start),
          ProbeResult.ErrorClass.UNRESOLVED,
          e.getMessage(),
          null);
    }
    Prober prober = probers.get(spec.kind());
    if (prober == null) {
      throw new ProbeUnavailable(spec.kind() + " probes are not available here");
    }
    Outcome o = prober.probe(ip, spec.port(), spec.timeout());
    MacAddress mac;
    if (spec.kind() == ProbeResult.Kind.ARP) {
      mac = o.answeredBy().isEmpty() ? null : o.answeredBy().get(0);
    } else {
      // right after the probe: the entry its frames went to (or none: nobody answered ARP)
      mac = neighbours.lookup(ip).orElse(null);
    }
    return new ProbeResult(
        Schema.V1,
        at,
        sensorId,
        spec.text(),
        spec.kind(),
        ip,
        spec.port(),
        o.ok(),
        o.latencyUs(),
        o.error(),
        o.text(),
        mac,
        o.answeredBy());
  }
}
