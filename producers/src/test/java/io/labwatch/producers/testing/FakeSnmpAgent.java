package io.labwatch.producers.testing;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.snmp4j.PDU;
import org.snmp4j.asn1.BER;
import org.snmp4j.asn1.BERInputStream;
import org.snmp4j.asn1.BEROutputStream;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * An SNMP v2c agent on loopback for tests: a MIB in a sorted map, answered with snmp4j's own BER
 * encoding (GET, GETNEXT, GETBULK as RFC 3416 says). It can be told to stay silent, to answer late,
 * or to answer with anything at all ({@link #answerWith}): the bytes a broken or hostile agent
 * sends.
 */
public final class FakeSnmpAgent implements AutoCloseable {

  private static final OID SYS_UP_TIME_0 = new OID("1.3.6.1.2.1.1.3.0");

  private final DatagramSocket socket;
  private final String community;
  private final Thread thread;
  private final ConcurrentSkipListMap<OID, Variable> mib = new ConcurrentSkipListMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile boolean silent;
  private volatile long delayMs;
  private volatile int maxVarbinds = 2000;
  private volatile UnaryOperator<byte[]> misbehaviour;
  private volatile java.util.function.BiFunction<PDU, PDU, PDU> rewrite;

  private FakeSnmpAgent(String community) throws SocketException {
    this.community = community;
    this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    this.thread = new Thread(this::serve, "fake-snmp-agent-" + socket.getLocalPort());
    this.thread.setDaemon(true);
  }

  /** An agent answering {@code community}, with {@code sysUpTime.0} = 12345 (2 min). */
  public static FakeSnmpAgent start(String community) throws SocketException {
    FakeSnmpAgent agent = new FakeSnmpAgent(community);
    agent.upTime(12_345);
    agent.thread.start();
    return agent;
  }

  /** {@code 127.0.0.1:port}. */
  public String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  public int requests() {
    return requests.get();
  }

  public FakeSnmpAgent put(OID oid, Variable value) {
    mib.put(oid, value);
    return this;
  }

  public FakeSnmpAgent remove(OID oid) {
    mib.remove(oid);
    return this;
  }

  public FakeSnmpAgent removeTree(OID prefix) {
    mib.keySet().removeIf(o -> o.startsWith(prefix));
    return this;
  }

  public FakeSnmpAgent upTime(long hundredths) {
    return put(SYS_UP_TIME_0, new TimeTicks(hundredths));
  }

  /** An ipNetToMediaTable row: ifIndex.ip → mac, dynamic. */
  public FakeSnmpAgent arp(int ifIndex, IpAddress ip, MacAddress mac) {
    OID index = new OID(new int[] {ifIndex}).append(ip.toString());
    put(new OID("1.3.6.1.2.1.4.22.1.1").append(index), new Integer32(ifIndex));
    put(new OID("1.3.6.1.2.1.4.22.1.2").append(index), new OctetString(mac.toBytes()));
    put(new OID("1.3.6.1.2.1.4.22.1.3").append(index), new org.snmp4j.smi.IpAddress(ip.toString()));
    return put(new OID("1.3.6.1.2.1.4.22.1.4").append(index), new Integer32(3));
  }

  /**
   * An ipNetToPhysicalTable row, {@code ifIndex.type.length.address} → mac: dynamic and reachable
   * ({@code type} 5, local, for the router's own address).
   */
  public FakeSnmpAgent neighbour(int ifIndex, IpAddress ip, MacAddress mac, int type) {
    byte[] a = ip.toBytes();
    int[] index = new int[3 + a.length];
    index[0] = ifIndex;
    index[1] = a.length == 16 ? 2 : 1;
    index[2] = a.length;
    for (int i = 0; i < a.length; i++) {
      index[3 + i] = a[i] & 0xFF;
    }
    OID entry = new OID("1.3.6.1.2.1.4.35.1");
    put(new OID(entry).append(4).append(new OID(index)), new OctetString(mac.toBytes()));
    put(new OID(entry).append(5).append(new OID(index)), new TimeTicks(100));
    put(new OID(entry).append(6).append(new OID(index)), new Integer32(type));
    put(new OID(entry).append(7).append(new OID(index)), new Integer32(1));
    return put(new OID(entry).append(8).append(new OID(index)), new Integer32(1));
  }

  /** Removes an ipNetToMediaTable row. */
  public FakeSnmpAgent forget(int ifIndex, IpAddress ip) {
    OID index = new OID(new int[] {ifIndex}).append(ip.toString());
    for (int c = 1; c <= 4; c++) {
      remove(new OID("1.3.6.1.2.1.4.22.1").append(c).append(index));
    }
    return this;
  }

  /** An ifTable row: descr, speed, oper status up, errors and discards. */
  public FakeSnmpAgent ifEntry(int ifIndex, String descr, long inOctets32, long outOctets32) {
    put(ifTable(2, ifIndex), new OctetString(descr));
    put(ifTable(5, ifIndex), new Gauge32(1_000_000_000L));
    put(ifTable(8, ifIndex), new Integer32(1));
    put(ifTable(10, ifIndex), new Counter32(inOctets32));
    put(ifTable(11, ifIndex), new Counter32(10));
    put(ifTable(13, ifIndex), new Counter32(1));
    put(ifTable(14, ifIndex), new Counter32(2));
    put(ifTable(16, ifIndex), new Counter32(outOctets32));
    put(ifTable(17, ifIndex), new Counter32(20));
    put(ifTable(19, ifIndex), new Counter32(3));
    return put(ifTable(20, ifIndex), new Counter32(4));
  }

  /** An ifXTable row: name, alias, 64-bit octet and packet counters, speed, discontinuity 0. */
  public FakeSnmpAgent ifXEntry(int ifIndex, String name, long inOctets, long outOctets) {
    put(ifXTable(1, ifIndex), new OctetString(name));
    put(ifXTable(6, ifIndex), new Counter64(inOctets));
    put(ifXTable(7, ifIndex), new Counter64(100));
    put(ifXTable(8, ifIndex), new Counter64(5));
    put(ifXTable(9, ifIndex), new Counter64(6));
    put(ifXTable(10, ifIndex), new Counter64(outOctets));
    put(ifXTable(11, ifIndex), new Counter64(200));
    put(ifXTable(12, ifIndex), new Counter64(7));
    put(ifXTable(13, ifIndex), new Counter64(8));
    put(ifXTable(15, ifIndex), new Gauge32(1000));
    put(ifXTable(18, ifIndex), new OctetString("uplink " + name));
    return put(ifXTable(19, ifIndex), new TimeTicks(0));
  }

  public static OID ifTable(int column, int ifIndex) {
    return new OID("1.3.6.1.2.1.2.2.1").append(column).append(ifIndex);
  }

  public static OID ifXTable(int column, int ifIndex) {
    return new OID("1.3.6.1.2.1.31.1.1.1").append(column).append(ifIndex);
  }

  /** Receives requests and answers none (a stopped agent, a firewall, a wrong community). */
  public FakeSnmpAgent silent(boolean silent) {
    this.silent = silent;
    return this;
  }

  /** Answers each request this late (one request at a time, like a slow agent's CPU). */
  public FakeSnmpAgent delay(Duration delay) {
    this.delayMs = delay.toMillis();
    return this;
  }

  /** At most this many varbinds in one answer to a GETBULK; more is answered tooBig. */
  public FakeSnmpAgent maxVarbinds(int n) {
    this.maxVarbinds = n;
    return this;
  }

  /**
   * Every answer goes through {@code f} first: given the well-formed answer's bytes, it returns
   * what is sent instead (null: nothing).
   */
  public FakeSnmpAgent answerWith(UnaryOperator<byte[]> f) {
    this.misbehaviour = f;
    return this;
  }

  /**
   * Every response PDU goes through {@code f} first, given the request it answers: an agent that
   * gets its own protocol wrong.
   */
  public FakeSnmpAgent rewrite(java.util.function.BiFunction<PDU, PDU, PDU> f) {
    this.rewrite = f;
    return this;
  }

  private void serve() {
    byte[] buffer = new byte[65_535];
    while (!socket.isClosed()) {
      DatagramPacket in = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(in);
      } catch (IOException e) {
        return; // closed
      }
      requests.incrementAndGet();
      if (silent) {
        continue;
      }
      byte[] answer;
      try {
        answer = answer(ByteBuffer.wrap(in.getData(), in.getOffset(), in.getLength()));
      } catch (IOException | RuntimeException e) {
        continue; // a request we cannot read: an agent drops it
      }
      if (answer == null) {
        continue;
      }
      UnaryOperator<byte[]> m = misbehaviour;
      if (m != null) {
        answer = m.apply(answer);
        if (answer == null) {
          continue;
        }
      }
      long delay = delayMs;
      if (delay > 0) {
        try {
          Thread.sleep(delay); // pacing: the agent's slowness is what is under test
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
      } catch (IOException e) {
        return;
      }
    }
  }

  /** The answer to one v2c request, or null when it is not for us. */
  private byte[] answer(ByteBuffer bytes) throws IOException {
    BERInputStream in = new BERInputStream(bytes);
    BER.MutableByte type = new BER.MutableByte();
    BER.decodeHeader(in, type);
    int version = BER.decodeInteger(in, type);
    OctetString c = new OctetString();
    c.decodeBER(in);
    if (version != 1 || !c.toString().equals(community)) {
      return null; // not v2c, or a wrong community: an agent says nothing
    }
    PDU request = new PDU();
    request.decodeBER(in);
    PDU response = respond(request);
    java.util.function.BiFunction<PDU, PDU, PDU> f = rewrite;
    if (f != null) {
      response = f.apply(request, response);
    }
    return encode(version, c, response);
  }

  /** The response PDU to a request, from the MIB. */
  public PDU respond(PDU request) {
    PDU response = new PDU();
    response.setType(PDU.RESPONSE);
    response.setRequestID(request.getRequestID());
    List<? extends VariableBinding> vbs = request.getVariableBindings();
    switch (request.getType()) {
      case PDU.GET -> {
        for (VariableBinding vb : vbs) {
          Variable v = mib.get(vb.getOid());
          response.add(new VariableBinding(vb.getOid(), v == null ? Null.noSuchObject : v));
        }
      }
      case PDU.GETNEXT -> {
        for (VariableBinding vb : vbs) {
          response.add(next(vb.getOid()));
        }
      }
      case PDU.GETBULK -> {
        int nonRepeaters = Math.max(0, Math.min(request.getNonRepeaters(), vbs.size()));
        for (int i = 0; i < nonRepeaters; i++) {
          response.add(next(vbs.get(i).getOid()));
        }
        List<OID> current = new ArrayList<>();
        for (int i = nonRepeaters; i < vbs.size(); i++) {
          current.add(vbs.get(i).getOid());
        }
        int reps = Math.max(0, request.getMaxRepetitions());
        for (int r = 0; r < reps && !current.isEmpty(); r++) {
          boolean all = true;
          for (int j = 0; j < current.size(); j++) {
            VariableBinding next = next(current.get(j));
            response.add(next);
            current.set(j, next.getOid());
            all &= next.getVariable().getSyntax() == Null.endOfMibView.getSyntax();
          }
          if (all) {
            break;
          }
        }
        if (response.size() > maxVarbinds) {
          PDU tooBig = new PDU();
          tooBig.setType(PDU.RESPONSE);
          tooBig.setRequestID(request.getRequestID());
          tooBig.setErrorStatus(PDU.tooBig);
          return tooBig;
        }
      }
      default -> response.setErrorStatus(PDU.genErr);
    }
    return response;
  }

  private VariableBinding next(OID oid) {
    Map.Entry<OID, Variable> e = mib.higherEntry(oid);
    return e == null
        ? new VariableBinding(oid, Null.endOfMibView)
        : new VariableBinding(e.getKey(), e.getValue());
  }

  /** A v2c message: version, community, PDU. */
  public static byte[] encode(int version, OctetString community, PDU pdu) throws IOException {
    Integer32 v = new Integer32(version);
    int length = v.getBERLength() + community.getBERLength() + pdu.getBERLength();
    BEROutputStream out =
        new BEROutputStream(ByteBuffer.allocate(length + BER.getBERLengthOfLength(length) + 1));
    BER.encodeHeader(out, BER.SEQUENCE, length);
    v.encodeBER(out);
    community.encodeBER(out);
    pdu.encodeBER(out);
    return out.getBuffer().array();
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
