package io.labwatch.streams.bindings;

import io.labwatch.events.Alert;
import io.labwatch.events.IpAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.Segments;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the detection knows of one IP address: the MACs that asserted it, the last assertion, the
 * flips, and its open incidents. Stored per IP and segment (key: the IP's text, with {@code
 * %segment} outside the default segment, as in {@code labwatch.arp}) in the {@code ip-state} store,
 * in the versioned binary form of {@code IpStateSerde} (its incidents' alerts as JSON inside).
 * Mutable, and owned by one stream task at a time.
 */
public final class IpState {

  /** At most this many MACs are remembered per IP; the least recently seen go first. */
  static final int MAX_MACS = 32;

  /**
   * The state's key: the IP's text, or {@code IP%segment} ({@code io.labwatch.events.Segments}).
   */
  public String ip;

  /** Event time of the last observation of this IP, for expiry (ms). */
  public long lastSeen;

  /** Non-exempt MACs that asserted this IP, by MAC text. */
  public TreeMap<String, MacSeen> macs = new TreeMap<>();

  /** The MAC of the latest binding assertion, and when. */
  public String lastMac;

  public long lastAssertAt;

  /** Times of recent flips (the asserting MAC changed), within the conflict window (ms). */
  public List<Long> recentFlips = new ArrayList<>();

  public Incident conflict;
  public Incident spoof;
  public Pending pending;

  /** Probing MACs already told about, and when (ms). */
  public TreeMap<String, Long> probesTold = new TreeMap<>();

  /** "sender|ethernet source" pairs already told about. */
  public TreeSet<String> mismatchesTold = new TreeSet<>();

  /** When this IP next needs a look without traffic (ms), 0 when never. */
  public long timerAt;

  /**
   * When the latest confirmation probe for this IP started (ms), 0 when none; and from which MAC.
   */
  public long probeSentAt;

  public String prober;

  /** When that probe's sensor said it was done (ms), 0 while it runs (or none ran). */
  public long probeDoneAt;

  /** The MACs that answered that probe (replies to the prober, and the sensor's own account). */
  public TreeSet<String> probeAnswered = new TreeSet<>();

  /** The routers (SNMP sensor ids) whose ARP tables asserted a binding of this IP, a few. */
  public TreeSet<String> routerTables = new TreeSet<>();

  /**
   * The entry of {@link #macs} last asserted, held beside the map so that the next packet from the
   * same MAC — most packets — finds it without walking the map (a walk is several dependent reads
   * of memory that, with thousands of addresses, is rarely in the cache: measured as a third of
   * {@code labwatch analyze}'s detection). Not part of the state: never stored, rebuilt by the next
   * assertion; {@link BindingRules} drops it whenever it removes an entry from {@link #macs}, the
   * only way the entry of a MAC changes.
   */
  transient String hotMac;

  /** The address of {@link #ip}, parsed once (for the key it was parsed from). Not stored. */
  private transient IpAddress address;

  private transient String segment;

  private transient String addressOf;

  /** The address part of {@link #ip} (its key: {@code 10.77.0.10%vlan20} → 10.77.0.10). */
  IpAddress address() {
    parseKey();
    return address;
  }

  /** The segment part of {@link #ip}, null in the default segment ({@link Segments#segment}). */
  String segment() {
    parseKey();
    return segment;
  }

  private void parseKey() {
    if (addressOf != ip) { // (by identity: the key is set once, by the constructor or the serde)
      address = Segments.address(ip);
      segment = Segments.segment(ip);
      addressOf = ip;
    }
  }

  transient long hotMacBits = -1;
  transient MacSeen hotSeen;

  public IpState() {}

  IpState(String ip) {
    this.ip = ip;
  }

  /** One MAC's part. */
  public static final class MacSeen {
    public long packets;
    public long firstSeen;
    public long lastSeen;
    public TreeSet<String> sensors = new TreeSet<>();
    public TreeSet<PacketClass> classes = new TreeSet<>();

    /**
     * The last answer (ARP reply, neighbour advertisement) for this IP from this MAC (ms), or 0.
     */
    public long lastAnswerAt;

    /** Whom that answer went to (the asker's IP), or null when not known. */
    public String lastAnswerTo;

    /** The askers this MAC's answers went to, the latest few (for poisoning: its victims). */
    public TreeSet<String> answeredTo = new TreeSet<>();

    /**
     * {@link #classes} as bits by ordinal (-1 until computed), and the sensor last added to {@link
     * #sensors}: most packets add nothing to either, and a look at these two is one read of memory
     * where the sets take several. Not stored; {@link #addSensor} and {@link #addClass} are the
     * only changes to the sets after a state is read.
     */
    private transient int classBits = -1;

    private transient String lastSensor;

    boolean hasClass(PacketClass c) {
      if (classBits < 0) {
        int bits = 0;
        for (PacketClass k : classes) {
          bits |= 1 << k.ordinal();
        }
        classBits = bits;
      }
      return (classBits & 1 << c.ordinal()) != 0;
    }

    void addClass(PacketClass c) {
      if (!hasClass(c)) {
        classes.add(c);
        classBits |= 1 << c.ordinal();
      }
    }

    void addSensor(String sensorId) {
      if (!sensorId.equals(lastSensor)) {
        sensors.add(sensorId);
        lastSensor = sensorId;
      }
    }
  }

  /** A firing incident on this IP. */
  public static final class Incident {
    /** The last record emitted for it. */
    public Alert alert;

    public long lastEmittedAt;

    /** MACs involved so far. */
    public TreeSet<String> macs = new TreeSet<>();

    public long flips;

    /** For a spoof: the last assertion by a MAC that may not hold the address (ms). */
    public long lastOffendingAt;

    /**
     * The likelier impostor of a conflict (the MAC that did not answer a probe, or claims the
     * address only by replies, or came to it last), which the incident's records are keyed by on
     * their way through the impostor rules; fixed when it is first told.
     */
    public String claimer;

    /**
     * A conflict found while a confirmation probe runs, not told yet: it waits (for at most the
     * probe's run) until every MAC in it has answered the probe, or the probe ends, so that it is
     * told with what the probe showed.
     */
    public boolean held;

    /** What the probe showed of the claimer: {@link #PROBE_NONE}, ANSWERED or SILENT. */
    public byte probe;
  }

  /** No probe ran while the conflict was found, or it ended without a word. */
  public static final byte PROBE_NONE = 0;

  /** The claimer answered the probe. */
  public static final byte PROBE_ANSWERED = 1;

  /** The probe ran to its end, another MAC answered, and the claimer did not. */
  public static final byte PROBE_SILENT = 2;

  /** A change A→B that becomes MAC_CHANGED if A stays silent for the conflict window. */
  public static final class Pending {
    public String from;
    public String to;
    public long at;
  }
}
