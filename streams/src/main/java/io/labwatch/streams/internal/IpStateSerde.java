package io.labwatch.streams.internal;

import io.labwatch.events.Alert;
import io.labwatch.events.JsonSerde;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.streams.bindings.IpState;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The per-IP state in a compact binary form: it is read and written for every observation, and JSON
 * made that the detection's largest cost. MACs are 6-byte numbers, times epoch ms; an incident's
 * alert keeps its JSON. The first byte is the format version: 2 writes answers, confirmation probes
 * and an incident's claimer besides what 1 did, 3 the routers whose ARP tables told of the IP
 * besides what 2 did; a state of an older version is read with what it lacks empty, so stores of an
 * older labwatch carry over.
 */
public final class IpStateSerde
    implements Serde<IpState>, Serializer<IpState>, Deserializer<IpState> {

  private static final byte VERSION = 3;

  /** Version 2 (labwatch before routers' ARP tables were polled) is still read. */
  private static final byte VERSION_2 = 2;

  /** Version 1 (labwatch before answers, probes and claimers were kept) is still read. */
  private static final byte VERSION_1 = 1;

  private static final PacketClass[] CLASSES = PacketClass.values();
  private static final long NO_MAC = -1;

  private final JsonSerde<Alert> alerts = JsonSerde.of(Alert.class);

  @Override
  public byte[] serialize(String topic, IpState s) {
    if (s == null) {
      return null;
    }
    try {
      Out out = new Out(256);
      out.writeByte(VERSION);
      out.writeUTF(s.ip);
      out.writeLong(s.lastSeen);
      out.writeInt(s.macs.size());
      for (Map.Entry<String, IpState.MacSeen> e : s.macs.entrySet()) {
        IpState.MacSeen m = e.getValue();
        out.writeLong(MacAddress.of(e.getKey()).toLong());
        out.writeLong(m.packets);
        out.writeLong(m.firstSeen);
        out.writeLong(m.lastSeen);
        out.writeInt(m.sensors.size());
        for (String sensor : m.sensors) {
          out.writeUTF(sensor);
        }
        int classes = 0;
        for (PacketClass c : m.classes) {
          classes |= 1 << c.ordinal();
        }
        out.writeInt(classes);
        out.writeLong(m.lastAnswerAt);
        writeNullableUtf(out, m.lastAnswerTo);
        out.writeInt(m.answeredTo.size());
        for (String a : m.answeredTo) {
          out.writeUTF(a);
        }
      }
      out.writeLong(s.lastMac == null ? NO_MAC : MacAddress.of(s.lastMac).toLong());
      out.writeLong(s.lastAssertAt);
      out.writeInt(s.recentFlips.size());
      for (long f : s.recentFlips) {
        out.writeLong(f);
      }
      writeIncident(out, s.conflict);
      writeIncident(out, s.spoof);
      out.writeBoolean(s.pending != null);
      if (s.pending != null) {
        out.writeLong(MacAddress.of(s.pending.from).toLong());
        out.writeLong(MacAddress.of(s.pending.to).toLong());
        out.writeLong(s.pending.at);
      }
      out.writeInt(s.probesTold.size());
      for (Map.Entry<String, Long> e : s.probesTold.entrySet()) {
        out.writeLong(MacAddress.of(e.getKey()).toLong());
        out.writeLong(e.getValue());
      }
      out.writeInt(s.mismatchesTold.size());
      for (String m : s.mismatchesTold) {
        out.writeUTF(m);
      }
      out.writeLong(s.timerAt);
      out.writeLong(s.probeSentAt);
      out.writeLong(s.prober == null ? NO_MAC : MacAddress.of(s.prober).toLong());
      out.writeLong(s.probeDoneAt);
      out.writeInt(s.probeAnswered.size());
      for (String m : s.probeAnswered) {
        out.writeLong(MacAddress.of(m).toLong());
      }
      out.writeInt(s.routerTables.size());
      for (String r : s.routerTables) {
        out.writeUTF(r);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new SerializationException("cannot encode the state of " + s.ip, e);
    }
  }

  private void writeIncident(Out out, IpState.Incident i) throws IOException {
    out.writeBoolean(i != null);
    if (i == null) {
      return;
    }
    byte[] alert = alerts.serialize(null, i.alert);
    out.writeInt(alert.length);
    out.write(alert);
    out.writeLong(i.lastEmittedAt);
    out.writeInt(i.macs.size());
    for (String m : i.macs) {
      out.writeLong(MacAddress.of(m).toLong());
    }
    out.writeLong(i.flips);
    out.writeLong(i.lastOffendingAt);
    out.writeLong(i.claimer == null ? NO_MAC : MacAddress.of(i.claimer).toLong());
    out.writeBoolean(i.held);
    out.writeByte(i.probe);
  }

  private static void writeNullableUtf(Out out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  /**
   * What {@link DataOutputStream} writes, byte for byte, into one growing array: the state is
   * written for every observation, and DataOutputStream over a ByteArrayOutputStream takes a lock
   * and a call per field.
   */
  static final class Out {
    private byte[] buf;
    private int n;

    Out(int size) {
      buf = new byte[size];
    }

    private void room(int k) {
      if (n + k > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
      }
    }

    void writeByte(int v) {
      room(1);
      buf[n++] = (byte) v;
    }

    void writeBoolean(boolean v) {
      writeByte(v ? 1 : 0);
    }

    void writeInt(int v) {
      room(4);
      buf[n++] = (byte) (v >>> 24);
      buf[n++] = (byte) (v >>> 16);
      buf[n++] = (byte) (v >>> 8);
      buf[n++] = (byte) v;
    }

    void writeLong(long v) {
      room(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[n++] = (byte) (v >>> shift);
      }
    }

    void write(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, n, b.length);
      n += b.length;
    }

    /** Modified UTF-8 with a 2-byte length, as {@link DataOutputStream#writeUTF}. */
    void writeUTF(String str) throws IOException {
      int len = str.length();
      int bytes = len;
      for (int i = 0; i < len; i++) {
        char c = str.charAt(i);
        if (c >= 0x80 || c == 0) {
          bytes += c >= 0x800 ? 2 : 1;
        }
      }
      if (bytes > 65535) {
        throw new java.io.UTFDataFormatException("a text of " + bytes + " bytes is too long");
      }
      room(2 + bytes);
      buf[n++] = (byte) (bytes >>> 8);
      buf[n++] = (byte) bytes;
      for (int i = 0; i < len; i++) {
        char c = str.charAt(i);
        if (c != 0 && c < 0x80) {
          buf[n++] = (byte) c;
        } else if (c >= 0x800) {
          buf[n++] = (byte) (0xE0 | ((c >> 12) & 0x0F));
          buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          buf[n++] = (byte) (0x80 | (c & 0x3F));
        } else {
          buf[n++] = (byte) (0xC0 | ((c >> 6) & 0x1F));
          buf[n++] = (byte) (0x80 | (c & 0x3F));
        }
      }
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, n);
    }
  }

  private static String readNullableUtf(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }

  private static String readMac(DataInputStream in) throws IOException {
    long mac = in.readLong();
    return mac == NO_MAC ? null : MacAddress.fromLong(mac).toString();
  }

  @Override
  public IpState deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
      byte version = in.readByte();
      if (version != VERSION && version != VERSION_2 && version != VERSION_1) {
        throw new SerializationException(
            "per-IP state of format " + version + " is not readable by this labwatch");
      }
      IpState s = new IpState();
      s.ip = in.readUTF();
      s.lastSeen = in.readLong();
      int macs = in.readInt();
      for (int i = 0; i < macs; i++) {
        String mac = MacAddress.fromLong(in.readLong()).toString();
        IpState.MacSeen m = new IpState.MacSeen();
        m.packets = in.readLong();
        m.firstSeen = in.readLong();
        m.lastSeen = in.readLong();
        int sensors = in.readInt();
        for (int k = 0; k < sensors; k++) {
          m.sensors.add(in.readUTF());
        }
        int classes = in.readInt();
        for (PacketClass c : CLASSES) {
          if ((classes & (1 << c.ordinal())) != 0) {
            m.classes.add(c);
          }
        }
        if (version >= VERSION_2) {
          m.lastAnswerAt = in.readLong();
          m.lastAnswerTo = readNullableUtf(in);
          int told = in.readInt();
          for (int k = 0; k < told; k++) {
            m.answeredTo.add(in.readUTF());
          }
        }
        s.macs.put(mac, m);
      }
      long last = in.readLong();
      s.lastMac = last == NO_MAC ? null : MacAddress.fromLong(last).toString();
      s.lastAssertAt = in.readLong();
      int flips = in.readInt();
      for (int i = 0; i < flips; i++) {
        s.recentFlips.add(in.readLong());
      }
      s.conflict = readIncident(in, version);
      s.spoof = readIncident(in, version);
      if (in.readBoolean()) {
        s.pending = new IpState.Pending();
        s.pending.from = MacAddress.fromLong(in.readLong()).toString();
        s.pending.to = MacAddress.fromLong(in.readLong()).toString();
        s.pending.at = in.readLong();
      }
      int probes = in.readInt();
      for (int i = 0; i < probes; i++) {
        s.probesTold.put(MacAddress.fromLong(in.readLong()).toString(), in.readLong());
      }
      int mismatches = in.readInt();
      for (int i = 0; i < mismatches; i++) {
        s.mismatchesTold.add(in.readUTF());
      }
      s.timerAt = in.readLong();
      if (version >= VERSION_2) {
        s.probeSentAt = in.readLong();
        s.prober = readMac(in);
        s.probeDoneAt = in.readLong();
        int answered = in.readInt();
        for (int i = 0; i < answered; i++) {
          s.probeAnswered.add(MacAddress.fromLong(in.readLong()).toString());
        }
      }
      if (version >= VERSION) {
        int tables = in.readInt();
        for (int i = 0; i < tables; i++) {
          s.routerTables.add(in.readUTF());
        }
      }
      return s;
    } catch (IOException | RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException(
          "cannot decode per-IP state of " + data.length + " bytes: " + e, e);
    }
  }

  private IpState.Incident readIncident(DataInputStream in, byte version) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    IpState.Incident i = new IpState.Incident();
    int length = in.readInt();
    // (a damaged length must not allocate what it says: the bytes are all here already)
    if (length < 0 || length > in.available()) {
      throw new SerializationException(
          "per-IP state is damaged: an alert of "
              + length
              + " bytes, but "
              + in.available()
              + " bytes are left");
    }
    byte[] alert = new byte[length];
    in.readFully(alert);
    i.alert = alerts.deserialize(null, alert);
    i.lastEmittedAt = in.readLong();
    int macs = in.readInt();
    TreeSet<String> set = new TreeSet<>();
    for (int k = 0; k < macs; k++) {
      set.add(MacAddress.fromLong(in.readLong()).toString());
    }
    i.macs = set;
    i.flips = in.readLong();
    i.lastOffendingAt = in.readLong();
    if (version >= VERSION_2) {
      i.claimer = readMac(in);
      i.held = in.readBoolean();
      i.probe = in.readByte();
    }
    return i;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  @Override
  public Serializer<IpState> serializer() {
    return this;
  }

  @Override
  public Deserializer<IpState> deserializer() {
    return this;
  }

  @Override
  public void close() {}
}
