package io.labwatch.producers.snmp;

import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.snmp.SnmpSensorConfig.DeviceSettings;
import io.labwatch.producers.snmp.SnmpSensorConfig.Table;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.snmp4j.PDU;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Polls one device: its interface counters (ifXTable's 64-bit counters, ifTable's 32-bit ones where
 * it has no ifXTable, with {@code sysUpTime}) and its ARP table (ipNetToMediaTable), each with one
 * GETBULK walk. What the agent answers is checked value by value: a value of the wrong type, an
 * index that is no ifIndex or no IPv4 address, a physical address that is not 6 bytes — each is
 * skipped and said in the poll's problem, the rest is used.
 *
 * <p>IPv4 bindings come from ipNetToMediaTable, never from {@code ipNetToPhysicalTable}: Debian
 * 12's Net-SNMP 5.9.3 reports a wrong {@code ipNetToPhysicalPhysAddress} after a MAC changes (only
 * its first byte new, until its cache expires about a minute later), and a wrong MAC is worse than
 * none for an IP-conflict detector. IPv6 neighbours, which only ipNetToPhysicalTable has, are read
 * from it when the device's tables include {@code ipv6} (for agents that get it right).
 */
final class DevicePoller {

  /** The columns of the interface walk, in this order. */
  private static final List<OID> IFX_COLUMNS =
      List.of(
          Mib.IF_NAME,
          Mib.IF_HC_IN_OCTETS,
          Mib.IF_HC_IN_UCAST_PKTS,
          Mib.IF_HC_IN_MULTICAST_PKTS,
          Mib.IF_HC_IN_BROADCAST_PKTS,
          Mib.IF_HC_OUT_OCTETS,
          Mib.IF_HC_OUT_UCAST_PKTS,
          Mib.IF_HC_OUT_MULTICAST_PKTS,
          Mib.IF_HC_OUT_BROADCAST_PKTS,
          Mib.IF_HIGH_SPEED,
          Mib.IF_ALIAS,
          Mib.IF_COUNTER_DISCONTINUITY_TIME);

  private static final List<OID> IF_COLUMNS =
      List.of(
          Mib.IF_DESCR,
          Mib.IF_SPEED,
          Mib.IF_OPER_STATUS,
          Mib.IF_IN_DISCARDS,
          Mib.IF_IN_ERRORS,
          Mib.IF_OUT_DISCARDS,
          Mib.IF_OUT_ERRORS);

  /** ifTable's 32-bit octet and unicast counters: walked only where ifXTable is missing. */
  private static final List<OID> IF_COUNTERS32 =
      List.of(Mib.IF_IN_OCTETS, Mib.IF_IN_UCAST_PKTS, Mib.IF_OUT_OCTETS, Mib.IF_OUT_UCAST_PKTS);

  private static final List<OID> NAME_COLUMNS = List.of(Mib.IF_NAME, Mib.IF_DESCR);

  private static final List<OID> ARP_COLUMNS =
      List.of(Mib.IP_NET_TO_MEDIA_PHYS_ADDRESS, Mib.IP_NET_TO_MEDIA_TYPE);

  /** The ARP walk between type walks: the MACs only. */
  private static final List<OID> ARP_MAC_COLUMN = List.of(Mib.IP_NET_TO_MEDIA_PHYS_ADDRESS);

  /**
   * How often the ARP walk reads ipNetToMediaType for every entry (the first poll, then at this
   * interval: the sensor's default refresh interval); in between, only the entries that are new or
   * changed since the last poll have their type read, with GETs.
   */
  static final Duration TYPE_WALK_EVERY = Duration.ofMinutes(10);

  /** Types asked for in one GET. */
  static final int TYPES_PER_GET = 64;

  private static final List<OID> NEIGHBOUR6_COLUMNS =
      List.of(
          Mib.IP_NET_TO_PHYSICAL_PHYS_ADDRESS,
          Mib.IP_NET_TO_PHYSICAL_TYPE,
          Mib.IP_NET_TO_PHYSICAL_STATE);

  private final DeviceSettings device;
  private final SnmpClient client;
  private final int maxRepetitions;

  /** Whether the device has ifXTable, as its last poll found; null before the first. */
  private Boolean hasIfX;

  /** Interface names by ifIndex, from the last poll that read them. */
  private Map<Integer, String> names = Map.of();

  /** The IPv4 ARP table as the last poll that read it found it; null before. */
  private Map<IpAddress, MacAddress> lastArp;

  /** The addresses whose entries were {@code invalid} at the last poll. */
  private Set<IpAddress> lastInvalid = Set.of();

  /** When the ARP walk last read every entry's type. */
  private Instant lastTypeWalk;

  DevicePoller(DeviceSettings device, SnmpClient client, int maxRepetitions) {
    this.device = device;
    this.client = client;
    this.maxRepetitions = maxRepetitions;
  }

  DeviceSettings device() {
    return device;
  }

  /** One entry of the router's ARP table. */
  record ArpEntry(IpAddress ip, MacAddress mac, int ifIndex) {}

  /**
   * What one poll found.
   *
   * @param arp the ARP table, or null when it was not polled or could not be read
   * @param counters each interface's counters, or null when not polled or not readable
   * @param names interface names by ifIndex (for the ARP entries' interface)
   * @param problem what went wrong, in one line, or null when nothing did
   * @param unreachable the device did not answer, or refused: nothing was read at all
   * @param requests requests the poll took
   */
  record Result(
      Instant at,
      List<ArpEntry> arp,
      List<InterfaceCounters> counters,
      Map<Integer, String> names,
      String problem,
      boolean unreachable,
      int requests) {

    /** The name of the interface with {@code ifIndex}: its ifName/ifDescr, else "ifIndex N". */
    String ifName(int ifIndex) {
      String n = names.get(ifIndex);
      return n == null || n.isBlank() ? "ifIndex " + ifIndex : n;
    }
  }

  /** Polls the device once; never throws (a failure is the result's problem). */
  Result poll(Instant at) {
    List<String> problems = new ArrayList<>();
    List<InterfaceCounters> counters = null;
    List<ArpEntry> arp = null;
    int requests = 0;
    boolean unreachable = false;
    try {
      if (device.polls(Table.INTERFACES)) {
        try {
          boolean asked32 = !Boolean.TRUE.equals(hasIfX);
          Walker.Table t = walkInterfaces(asked32);
          requests += t.requests();
          counters = counters(t, asked32, at, problems);
        } catch (PollFailure f) {
          if (deviceWide(f)) {
            throw f;
          }
          problems.add("interfaces: " + f.getMessage());
        }
      }
      if (device.polls(Table.ARP)) {
        try {
          if (!device.polls(Table.INTERFACES)) {
            Walker.Table t = Walker.walk(client, NAME_COLUMNS, null, repetitions(NAME_COLUMNS));
            requests += t.requests();
            names = names(t);
          }
          int[] asked = new int[1];
          arp = readArp(at, problems, asked);
          requests += asked[0];
        } catch (PollFailure f) {
          if (deviceWide(f)) {
            throw f;
          }
          problems.add("ARP table: " + f.getMessage());
        }
      }
      if (device.polls(Table.IPV6)) {
        try {
          if (!device.polls(Table.INTERFACES) && !device.polls(Table.ARP)) {
            Walker.Table t = Walker.walk(client, NAME_COLUMNS, null, repetitions(NAME_COLUMNS));
            requests += t.requests();
            names = names(t);
          }
          Walker.Table t =
              Walker.walk(client, NEIGHBOUR6_COLUMNS, null, repetitions(NEIGHBOUR6_COLUMNS));
          requests += t.requests();
          List<ArpEntry> v6 = neighbours6(t, problems);
          if (arp == null && !device.polls(Table.ARP)) {
            arp = v6;
          } else if (arp != null) {
            arp = new ArrayList<>(arp);
            arp.addAll(v6);
          }
          // (the ARP table polled but unreadable: no neighbours either, so that the diff keeps
          // both)
        } catch (PollFailure f) {
          if (deviceWide(f)) {
            throw f;
          }
          problems.add("IPv6 neighbours: " + f.getMessage());
          if (device.polls(Table.ARP)) {
            arp = null; // a table read in part would look like IPv6 entries gone
          }
        }
      }
    } catch (PollFailure f) {
      problems.clear();
      problems.add(f.getMessage());
      unreachable = true;
      counters = null;
      arp = null;
    }
    return new Result(
        at,
        arp,
        counters,
        names,
        problems.isEmpty() ? null : String.join("; ", problems),
        unreachable,
        requests);
  }

  /** No answer, a refusal, a local error: the device as a whole, not one of its tables. */
  private static boolean deviceWide(PollFailure f) {
    return f.kind() == PollFailure.Kind.TIMEOUT
        || f.kind() == PollFailure.Kind.REFUSED
        || f.kind() == PollFailure.Kind.LOCAL;
  }

  /**
   * Max-repetitions for a walk of {@code columns}: the configured value for the interface walk (its
   * 19 columns or more), and for a narrower walk (the ARP table's two columns) as many values per
   * request, not as many rows. A request costs the sensor more CPU than the values in it (a
   * datagram each way, two thread hand-offs): at 25 rows a request a 10,000-entry ARP table took
   * 400 requests, and a poll twice the CPU it takes in 43.
   */
  private int repetitions(List<OID> columns) {
    return repetitions(maxRepetitions, columns.size());
  }

  static int repetitions(int maxRepetitions, int columns) {
    int widest = IFX_COLUMNS.size() + IF_COLUMNS.size();
    long values = (long) maxRepetitions * widest;
    int rows = (int) Math.min(MAX_NARROW_REPETITIONS, values / columns);
    return Math.max(maxRepetitions, rows);
  }

  /** Max-repetitions of the ARP table's walk. */
  static int arpRepetitions(int maxRepetitions) {
    return repetitions(maxRepetitions, ARP_COLUMNS.size());
  }

  /** The most rows per request a narrow walk asks for. */
  static final int MAX_NARROW_REPETITIONS = 1000;

  private Walker.Table walkInterfaces(boolean asked32) throws PollFailure {
    List<OID> columns = new ArrayList<>(IFX_COLUMNS);
    columns.addAll(IF_COLUMNS);
    if (asked32) {
      columns.addAll(IF_COUNTERS32); // not known to have ifXTable: ask for ifTable's too
    }
    return Walker.walk(client, columns, Mib.SYS_UP_TIME, maxRepetitions);
  }

  // ---- interfaces

  private List<InterfaceCounters> counters(
      Walker.Table t, boolean asked32, Instant at, List<String> problems) {
    int ifx = IFX_COLUMNS.size();
    int base = ifx + IF_COLUMNS.size();
    boolean ifxRows = false;
    for (Variable[] row : t.rows().values()) {
      for (int i = 1; i <= 8 && !ifxRows; i++) { // the ifHC* counters
        ifxRows = row[i] != null;
      }
    }
    boolean known64 = Boolean.TRUE.equals(hasIfX);
    hasIfX = ifxRows;
    if (!ifxRows && !asked32 && known64) {
      problems.add(
          "interfaces: ifXTable's counters are gone; ifTable's 32-bit ones from the next poll");
      return null;
    }
    Long upTime = timeTicks(t.nonRepeater());
    Map<Integer, String> found = new HashMap<>();
    Bad bad = new Bad("interfaces");
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<OID, Variable[]> e : t.rows().entrySet()) {
      int ifIndex = ifIndex(e.getKey());
      if (ifIndex < 1) {
        bad.add("an index that is no ifIndex (" + e.getKey() + ")");
        continue;
      }
      Variable[] r = e.getValue();
      String name = text(r[0]);
      if (name == null) {
        name = text(r[ifx]); // ifDescr
      }
      if (name != null) {
        found.put(ifIndex, name);
      }
      rows.add(new Row(ifIndex, name, r));
    }
    names = found;
    if (upTime == null) {
      problems.add(
          "interfaces: the agent gave no sysUpTime, without which counters cannot be told from a"
              + " restart; none published");
      bad.report(problems);
      return null;
    }
    List<InterfaceCounters> out = new ArrayList<>(rows.size());
    int bits = ifxRows ? 64 : 32;
    for (Row row : rows) {
      Variable[] r = row.values;
      String col = "ifIndex " + row.ifIndex;
      InterfaceCounters.Counters c;
      if (bits == 64) {
        c =
            new InterfaceCounters.Counters(
                c64(r[1], "ifHCInOctets", col, bad),
                c64(r[5], "ifHCOutOctets", col, bad),
                c64(r[2], "ifHCInUcastPkts", col, bad),
                c64(r[6], "ifHCOutUcastPkts", col, bad),
                c64(r[3], "ifHCInMulticastPkts", col, bad),
                c64(r[7], "ifHCOutMulticastPkts", col, bad),
                c64(r[4], "ifHCInBroadcastPkts", col, bad),
                c64(r[8], "ifHCOutBroadcastPkts", col, bad),
                c32(r[ifx + 4], "ifInErrors", col, bad),
                c32(r[ifx + 6], "ifOutErrors", col, bad),
                c32(r[ifx + 3], "ifInDiscards", col, bad),
                c32(r[ifx + 5], "ifOutDiscards", col, bad));
      } else {
        c =
            new InterfaceCounters.Counters(
                c32(r[base], "ifInOctets", col, bad),
                c32(r[base + 2], "ifOutOctets", col, bad),
                c32(r[base + 1], "ifInUcastPkts", col, bad),
                c32(r[base + 3], "ifOutUcastPkts", col, bad),
                null,
                null,
                null,
                null,
                c32(r[ifx + 4], "ifInErrors", col, bad),
                c32(r[ifx + 6], "ifOutErrors", col, bad),
                c32(r[ifx + 3], "ifInDiscards", col, bad),
                c32(r[ifx + 5], "ifOutDiscards", col, bad));
      }
      Long speed = gauge(r[9], "ifHighSpeed", col, bad);
      if (speed == null) {
        Long bps = gauge(r[ifx + 1], "ifSpeed", col, bad);
        speed = bps == null ? null : bps / 1_000_000;
      }
      Integer oper = integer(r[ifx + 2], "ifOperStatus", col, bad);
      try {
        out.add(
            new InterfaceCounters(
                at,
                device.name(),
                row.ifIndex,
                row.name,
                text(r[10]),
                oper == null ? null : InterfaceCounters.OperStatus.of(oper),
                speed,
                bits,
                upTime,
                timeTicks(r[11], "ifCounterDiscontinuityTime", col, bad),
                c));
      } catch (IllegalArgumentException e) {
        bad.add(col + ": " + e.getMessage());
      }
    }
    bad.report(problems);
    return out;
  }

  private record Row(int ifIndex, String name, Variable[] values) {}

  private static Map<Integer, String> names(Walker.Table t) {
    Map<Integer, String> out = new HashMap<>();
    t.rows()
        .forEach(
            (index, r) -> {
              int ifIndex = ifIndex(index);
              String name = text(r[0]) != null ? text(r[0]) : text(r[1]);
              if (ifIndex > 0 && name != null) {
                out.put(ifIndex, name);
              }
            });
    return out;
  }

  private static int ifIndex(OID index) {
    if (index.size() != 1) {
      return -1;
    }
    long v = index.get(0) & 0xFFFF_FFFFL;
    return v >= 1 && v <= Integer.MAX_VALUE ? (int) v : -1;
  }

  // ---- ARP

  /**
   * The IPv4 ARP table. Each entry's ipNetToMediaType is read to leave out {@code invalid} ones
   * (being removed): for every entry at the first poll and every {@link #TYPE_WALK_EVERY}, with the
   * MACs in one walk of both columns; in between the walk reads the MACs alone, and the type of an
   * entry that is new or whose MAC changed since the last poll is asked for with GETs. A steady
   * table of 10,000 entries costs half the values a poll (and half the router's work); a binding
   * that changes is still checked before it is told.
   */
  private List<ArpEntry> readArp(Instant at, List<String> problems, int[] requests)
      throws PollFailure {
    boolean everyType =
        lastArp == null
            || lastTypeWalk == null
            || !at.isBefore(lastTypeWalk.plus(TYPE_WALK_EVERY))
            || at.isBefore(lastTypeWalk);
    List<OID> columns = everyType ? ARP_COLUMNS : ARP_MAC_COLUMN;
    Walker.Table t = Walker.walk(client, columns, null, repetitions(columns));
    requests[0] += t.requests();
    Set<ArpEntry> invalid = new HashSet<>();
    List<ArpEntry> walked = arpEntries(t, problems, invalid);
    List<ArpEntry> entries = walked;
    if (!everyType) {
      // an entry as it was at the last poll keeps its verdict; the others are asked
      List<ArpEntry> fresh = new ArrayList<>();
      for (ArpEntry e : walked) {
        if (!e.mac().equals(lastArp.get(e.ip()))) {
          fresh.add(e);
        } else if (lastInvalid.contains(e.ip())) {
          invalid.add(e);
        }
      }
      if (!fresh.isEmpty()) {
        invalid.addAll(invalidOf(fresh, problems, requests));
      }
      if (!invalid.isEmpty()) {
        entries = new ArrayList<>(walked);
        entries.removeAll(invalid);
      }
    }
    Map<IpAddress, MacAddress> table = new HashMap<>((walked.size() + invalid.size()) * 2);
    for (ArpEntry e : walked) {
      table.putIfAbsent(e.ip(), e.mac());
    }
    Set<IpAddress> invalidIps = new HashSet<>();
    for (ArpEntry e : invalid) {
      table.putIfAbsent(e.ip(), e.mac());
      invalidIps.add(e.ip());
    }
    lastArp = table;
    lastInvalid = invalidIps;
    if (everyType) {
      lastTypeWalk = at;
    }
    return entries;
  }

  /**
   * Which of {@code entries} the agent calls {@code invalid}, asked with GETs of their
   * ipNetToMediaType. An entry whose type cannot be read (an agent that refuses the GET, a row gone
   * meanwhile) is kept, as a walk without the column would keep it; a refusal is said in the poll's
   * problem.
   */
  private Set<ArpEntry> invalidOf(List<ArpEntry> entries, List<String> problems, int[] requests)
      throws PollFailure {
    Set<ArpEntry> invalid = new HashSet<>();
    for (int from = 0; from < entries.size(); from += TYPES_PER_GET) {
      List<ArpEntry> batch = entries.subList(from, Math.min(entries.size(), from + TYPES_PER_GET));
      PDU get = client.newPdu();
      get.setType(PDU.GET);
      for (ArpEntry e : batch) {
        get.add(new VariableBinding(typeOid(e)));
      }
      PDU answer;
      try {
        answer = client.send(get);
        requests[0]++;
      } catch (PollFailure f) {
        if (deviceWide(f)) {
          throw f;
        }
        problems.add("ARP table: the types of new entries cannot be read (" + f.getMessage() + ")");
        return invalid;
      }
      if (answer.getErrorStatus() != PDU.noError) {
        problems.add(
            "ARP table: the types of new entries cannot be read ("
                + answer.getErrorStatusText()
                + ")");
        return invalid;
      }
      Map<OID, ArpEntry> byOid = new HashMap<>();
      batch.forEach(e -> byOid.put(typeOid(e), e));
      for (VariableBinding vb : answer.getVariableBindings()) {
        ArpEntry e = byOid.get(vb.getOid());
        if (e != null
            && vb.getVariable() instanceof Integer32 type
            && type.getValue() == Mib.MEDIA_TYPE_INVALID) {
          invalid.add(e);
        }
      }
    }
    return invalid;
  }

  private static OID typeOid(ArpEntry e) {
    byte[] ip = e.ip().toBytes();
    int[] sub = new int[Mib.IP_NET_TO_MEDIA_TYPE.size() + 5];
    int[] column = Mib.IP_NET_TO_MEDIA_TYPE.getValue();
    System.arraycopy(column, 0, sub, 0, column.length);
    sub[column.length] = e.ifIndex();
    for (int i = 0; i < 4; i++) {
      sub[column.length + 1 + i] = ip[i] & 0xFF;
    }
    return new OID(sub);
  }

  /**
   * The table's entries with a station's MAC; those the walk's type column calls {@code invalid} go
   * to {@code invalid} instead.
   */
  private List<ArpEntry> arpEntries(Walker.Table t, List<String> problems, Set<ArpEntry> invalid) {
    Bad bad = new Bad("ARP table");
    List<ArpEntry> out = new ArrayList<>(t.rows().size());
    for (Map.Entry<OID, Variable[]> e : t.rows().entrySet()) {
      OID index = e.getKey();
      Variable[] r = e.getValue();
      if (index.size() != 5) {
        bad.add("an index that is no ifIndex.IPv4 (" + index + ")");
        continue;
      }
      long ifIndex = index.get(0) & 0xFFFF_FFFFL;
      byte[] ip = new byte[4];
      boolean ok = ifIndex >= 1 && ifIndex <= Integer.MAX_VALUE;
      for (int i = 0; i < 4 && ok; i++) {
        int b = index.get(1 + i);
        ok = b >= 0 && b <= 255;
        ip[i] = (byte) b;
      }
      if (!ok) {
        bad.add("an index that is no ifIndex.IPv4 (" + index + ")");
        continue;
      }
      boolean removing = false;
      if (r.length > 1 && r[1] != null) {
        if (!(r[1] instanceof Integer32 type)) {
          bad.add("ipNetToMediaType." + index + " is " + r[1].getSyntaxString());
          continue;
        }
        removing = type.getValue() == Mib.MEDIA_TYPE_INVALID; // an entry being removed
      }
      MacAddress mac =
          removing ? anyMac(r[0]) : stationMac(r[0], "ipNetToMediaPhysAddress." + index, bad);
      if (mac == null) {
        continue;
      }
      ArpEntry entry = new ArpEntry(IpAddress.fromBytes(ip), mac, (int) ifIndex);
      if (removing) {
        invalid.add(entry);
      } else {
        out.add(entry);
      }
    }
    bad.report(problems);
    return out;
  }

  /** ipNetToPhysicalTable's IPv6 rows (its IPv4 ones are ipNetToMediaTable's, read there). */
  private List<ArpEntry> neighbours6(Walker.Table t, List<String> problems) {
    Bad bad = new Bad("IPv6 neighbours");
    List<ArpEntry> out = new ArrayList<>();
    for (Map.Entry<OID, Variable[]> e : t.rows().entrySet()) {
      OID index = e.getKey();
      Variable[] r = e.getValue();
      // ifIndex.addressType.length.address
      if (index.size() < 3) {
        bad.add("an index that is no ifIndex.type.address (" + index + ")");
        continue;
      }
      if (index.get(1) != Mib.INET_ADDRESS_IPV6) {
        continue; // IPv4 (ipNetToMediaTable's), or a type this sensor does not tell
      }
      long ifIndex = index.get(0) & 0xFFFF_FFFFL;
      boolean ok = ifIndex >= 1 && ifIndex <= Integer.MAX_VALUE;
      ok = ok && index.get(2) == 16 && index.size() == 3 + 16;
      byte[] ip = new byte[16];
      for (int i = 0; i < 16 && ok; i++) {
        int b = index.get(3 + i);
        ok = b >= 0 && b <= 255;
        ip[i] = (byte) b;
      }
      if (!ok) {
        bad.add("an index that is no ifIndex.ipv6.16.address (" + index + ")");
        continue;
      }
      Integer type = integer(r[1], "ipNetToPhysicalType", index.toString(), bad);
      if (type != null && (type == Mib.PHYSICAL_TYPE_INVALID || type == Mib.PHYSICAL_TYPE_LOCAL)) {
        continue; // being removed, or the router's own address
      }
      Integer state = integer(r[2], "ipNetToPhysicalState", index.toString(), bad);
      if (state != null && state == Mib.PHYSICAL_STATE_INCOMPLETE) {
        continue; // the router is still asking
      }
      MacAddress mac = stationMac(r[0], "ipNetToPhysicalPhysAddress." + index, bad);
      if (mac == null) {
        continue;
      }
      out.add(new ArpEntry(IpAddress.fromBytes(ip), mac, (int) ifIndex));
    }
    bad.report(problems);
    return out;
  }

  // ---- values

  /** Values an agent got wrong: counted, the first few named in the poll's problem. */
  private static final class Bad {
    private final String table;
    private final List<String> first = new ArrayList<>();
    private int count;

    Bad(String table) {
      this.table = table;
    }

    void add(String what) {
      if (count++ < 2) {
        first.add(what);
      }
    }

    void report(List<String> problems) {
      if (count > 0) {
        problems.add(
            table
                + ": "
                + count
                + " unusable value"
                + (count == 1 ? "" : "s")
                + " skipped ("
                + String.join("; ", first)
                + (count > first.size() ? "; …" : "")
                + ")");
      }
    }
  }

  private static Long c64(Variable v, String column, String where, Bad bad) {
    if (v == null) {
      return null;
    }
    if (v instanceof Counter64 c) {
      return c.getValue();
    }
    bad.add(column + " of " + where + " is " + v.getSyntaxString() + ", not a Counter64");
    return null;
  }

  /**
   * A neighbour table's physical address as a station's MAC; null for an entry that names none (an
   * incomplete one: empty, 00:00:…, or a multicast mapping), and for a value that is no MAC, which
   * is counted in {@code bad} as {@code what}.
   */
  /** The MAC of an entry being removed, whatever it is (no problem said); null when none. */
  private static MacAddress anyMac(Variable v) {
    return v instanceof OctetString phys && phys.length() == 6
        ? MacAddress.fromBytes(phys.getValue())
        : null;
  }

  private static MacAddress stationMac(Variable v, String what, Bad bad) {
    if (!(v instanceof OctetString phys)) {
      if (v != null) {
        bad.add(what + " is " + v.getSyntaxString());
      }
      return null;
    }
    if (phys.length() == 0) {
      return null; // the router is still asking
    }
    if (phys.length() != 6) {
      bad.add(what + " is " + phys.length() + " bytes long, not a MAC address");
      return null;
    }
    MacAddress mac = MacAddress.fromBytes(phys.getValue());
    return mac.isStation() ? mac : null;
  }

  private static Long c32(Variable v, String column, String where, Bad bad) {
    return unsigned32(v, column, where, bad, "a Counter32");
  }

  private static Long gauge(Variable v, String column, String where, Bad bad) {
    return unsigned32(v, column, where, bad, "a Gauge32");
  }

  /** A Counter32 or Gauge32 (one encoding in SNMP): any unsigned 32-bit value but TimeTicks. */
  private static Long unsigned32(Variable v, String column, String where, Bad bad, String kind) {
    if (v == null) {
      return null;
    }
    if (v instanceof UnsignedInteger32 u && !(v instanceof TimeTicks)) {
      return u.getValue();
    }
    bad.add(column + " of " + where + " is " + v.getSyntaxString() + ", not " + kind);
    return null;
  }

  private static Integer integer(Variable v, String column, String where, Bad bad) {
    if (v == null) {
      return null;
    }
    if (v instanceof Integer32 i) {
      return i.getValue();
    }
    bad.add(column + " of " + where + " is " + v.getSyntaxString() + ", not an INTEGER");
    return null;
  }

  private static Long timeTicks(Variable v, String column, String where, Bad bad) {
    if (v == null) {
      return null;
    }
    if (v instanceof TimeTicks t) {
      return t.getValue();
    }
    bad.add(column + " of " + where + " is " + v.getSyntaxString() + ", not TimeTicks");
    return null;
  }

  private static Long timeTicks(Variable v) {
    return v instanceof TimeTicks t ? t.getValue() : null;
  }

  /** An OCTET STRING as text: UTF-8, control characters dropped, at most 255 characters. */
  static String text(Variable v) {
    if (!(v instanceof OctetString s) || s.length() == 0) {
      return null;
    }
    String text = new String(s.getValue(), StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(Math.min(text.length(), 255));
    text.codePoints()
        .filter(c -> !Character.isISOControl(c))
        .limit(255)
        .forEach(sb::appendCodePoint);
    String out = sb.toString().strip();
    return out.isEmpty() ? null : out;
  }

  /** For tests: the names the last poll found. */
  Map<Integer, String> names() {
    return new TreeMap<>(names);
  }
}
