package io.labwatch.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.snmp4j.PDU;
import org.snmp4j.asn1.BER;
import org.snmp4j.asn1.BERInputStream;
import org.snmp4j.asn1.BEROutputStream;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * A fast SNMP v2c agent on loopback for the SNMP benchmark: a generated router — every column of
 * ifTable and ifXTable for {@code interfaces} interfaces, ipNetToMediaTable with {@code entries}
 * entries — in one sorted array that every port shares, answered with snmp4j's BER (GET, GETNEXT,
 * GETBULK as RFC 3416 says: a GETBULK answer is cut to what fits in one datagram). One thread per
 * port. Run in a process of its own, so that its CPU is not the sensor's.
 *
 * <p>{@code SnmpAgent PORTS ENTRIES INTERFACES}: prints {@code ports p1,p2,...} once listening,
 * then serves until it is killed.
 */
public final class SnmpAgent {

  /** Room for a GETBULK answer's varbinds: a UDP datagram less the message's own headers. */
  private static final int MAX_VARBIND_BYTES = 65_000;

  private final OID[] oids;
  private final Variable[] values;

  SnmpAgent(int entries, int interfaces) {
    TreeMap<OID, Variable> mib = new TreeMap<>();
    mib.put(new OID("1.3.6.1.2.1.1.3.0"), new TimeTicks(123_456));
    for (int i = 1; i <= interfaces; i++) {
      String name = i == 1 ? "lo" : "lwa" + (i - 2);
      byte[] mac = {2, 0, 0, 0, (byte) (i >> 8), (byte) i};
      Variable[] ifRow = {
        new Integer32(i),
        new OctetString(name),
        new Integer32(6),
        new Integer32(1500),
        new Gauge32(10_000_000),
        new OctetString(mac),
        new Integer32(1),
        new Integer32(1),
        new TimeTicks(100),
        new Counter32(1_000_000L + i),
        new Counter32(1000 + i),
        new Counter32(10),
        new Counter32(1),
        new Counter32(2),
        new Counter32(0),
        new Counter32(2_000_000L + i),
        new Counter32(2000 + i),
        new Counter32(20),
        new Counter32(3),
        new Counter32(4),
        new Gauge32(0),
        new OID("0.0")
      };
      for (int c = 1; c <= ifRow.length; c++) {
        mib.put(new OID("1.3.6.1.2.1.2.2.1").append(c).append(i), ifRow[c - 1]);
      }
      Variable[] ifxRow = {
        new OctetString(name),
        new Counter32(5),
        new Counter32(6),
        new Counter32(7),
        new Counter32(8),
        new Counter64(1_000_000_000_000L + i),
        new Counter64(100_000 + i),
        new Counter64(5),
        new Counter64(6),
        new Counter64(2_000_000_000_000L + i),
        new Counter64(200_000 + i),
        new Counter64(7),
        new Counter64(8),
        new Integer32(1),
        new Gauge32(10),
        new Integer32(2),
        new Integer32(1),
        new OctetString(""),
        new TimeTicks(0)
      };
      for (int c = 1; c <= ifxRow.length; c++) {
        mib.put(new OID("1.3.6.1.2.1.31.1.1.1").append(c).append(i), ifxRow[c - 1]);
      }
    }
    // the same addresses as bench/snmp's namespace: 10.i.(k/250).(k%250+1) on the i-th veth of 40
    for (int k = 0; k < entries; k++) {
      int i = k % 40;
      int ifIndex = Math.min(interfaces, 2 + i);
      String ip = "10." + i + "." + (k / 250) + "." + (k % 250 + 1);
      OID index = new OID(new int[] {ifIndex}).append(ip);
      byte[] mac = {2, 0, (byte) i, (byte) (k >> 16), (byte) (k >> 8), (byte) k};
      mib.put(new OID("1.3.6.1.2.1.4.22.1.1").append(index), new Integer32(ifIndex));
      mib.put(new OID("1.3.6.1.2.1.4.22.1.2").append(index), new OctetString(mac));
      mib.put(new OID("1.3.6.1.2.1.4.22.1.3").append(index), new IpAddress(ip));
      mib.put(new OID("1.3.6.1.2.1.4.22.1.4").append(index), new Integer32(4));
    }
    oids = mib.keySet().toArray(new OID[0]);
    values = mib.values().toArray(new Variable[0]);
  }

  public static void main(String[] args) throws IOException {
    int ports = Integer.parseInt(args[0]);
    SnmpAgent agent = new SnmpAgent(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
    List<String> bound = new ArrayList<>();
    for (int p = 0; p < ports; p++) {
      DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      socket.setReceiveBufferSize(1 << 20);
      bound.add(Integer.toString(socket.getLocalPort()));
      Thread t = new Thread(() -> agent.serve(socket), "agent-" + socket.getLocalPort());
      t.start();
    }
    System.out.println("ports " + String.join(",", bound));
    System.out.flush();
    // the serving threads keep the JVM up until bench/snmp ends it by its PID
  }

  private void serve(DatagramSocket socket) {
    byte[] buffer = new byte[65_535];
    while (true) {
      DatagramPacket in = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(in);
        byte[] answer = answer(ByteBuffer.wrap(in.getData(), in.getOffset(), in.getLength()));
        if (answer != null) {
          socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        // a request it cannot read: an agent drops it
      }
    }
  }

  private byte[] answer(ByteBuffer bytes) throws IOException {
    BERInputStream in = new BERInputStream(bytes);
    BER.MutableByte type = new BER.MutableByte();
    BER.decodeHeader(in, type);
    int version = BER.decodeInteger(in, type);
    OctetString community = new OctetString();
    community.decodeBER(in);
    if (version != 1 || !community.toString().equals("public")) {
      return null;
    }
    PDU request = new PDU();
    request.decodeBER(in);
    PDU response = respond(request);
    Integer32 v = new Integer32(version);
    int length = v.getBERLength() + community.getBERLength() + response.getBERLength();
    BEROutputStream out =
        new BEROutputStream(ByteBuffer.allocate(length + BER.getBERLengthOfLength(length) + 1));
    BER.encodeHeader(out, BER.SEQUENCE, length);
    v.encodeBER(out);
    community.encodeBER(out);
    response.encodeBER(out);
    return out.getBuffer().array();
  }

  private PDU respond(PDU request) {
    PDU response = new PDU();
    response.setType(PDU.RESPONSE);
    response.setRequestID(request.getRequestID());
    List<? extends VariableBinding> vbs = request.getVariableBindings();
    switch (request.getType()) {
      case PDU.GET -> {
        for (VariableBinding vb : vbs) {
          int at = Arrays.binarySearch(oids, vb.getOid());
          response.add(new VariableBinding(vb.getOid(), at >= 0 ? values[at] : Null.noSuchObject));
        }
      }
      case PDU.GETNEXT -> {
        for (VariableBinding vb : vbs) {
          response.add(next(vb.getOid()));
        }
      }
      case PDU.GETBULK -> {
        int nonRepeaters = Math.max(0, Math.min(request.getNonRepeaters(), vbs.size()));
        int size = 0;
        for (int i = 0; i < nonRepeaters; i++) {
          VariableBinding next = next(vbs.get(i).getOid());
          size += next.getBERLength();
          response.add(next);
        }
        OID[] current = new OID[vbs.size() - nonRepeaters];
        for (int i = 0; i < current.length; i++) {
          current[i] = vbs.get(nonRepeaters + i).getOid();
        }
        int reps = Math.max(0, request.getMaxRepetitions());
        fill:
        for (int r = 0; r < reps && current.length > 0; r++) {
          boolean all = true;
          for (int j = 0; j < current.length; j++) {
            VariableBinding next = next(current[j]);
            size += next.getBERLength();
            if (size > MAX_VARBIND_BYTES) {
              break fill; // RFC 3416 4.2.3: fewer repetitions, not tooBig
            }
            response.add(next);
            current[j] = next.getOid();
            all &= next.getVariable().getSyntax() == Null.endOfMibView.getSyntax();
          }
          if (all) {
            break;
          }
        }
      }
      default -> response.setErrorStatus(PDU.genErr);
    }
    return response;
  }

  private VariableBinding next(OID oid) {
    int at = Arrays.binarySearch(oids, oid);
    int next = at >= 0 ? at + 1 : -at - 1;
    return next < oids.length
        ? new VariableBinding(oids[next], values[next])
        : new VariableBinding(oid, Null.endOfMibView);
  }
}
