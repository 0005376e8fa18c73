package io.labwatch.streams;

import io.labwatch.events.Alert;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.ArpProbe;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.InventoryEntry;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.events.ProbeRequest;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The detection topology in a TopologyTestDriver, with the lab's cast and a clock of event time
 * that tests move by the configured windows.
 */
public final class Lab implements AutoCloseable {

  public static final Instant T0 = Instant.parse("2026-11-25T14:02:11Z");
  public static final String SENSOR = "lab-sw1";

  /** The SNMP sensor's name for the lab's router, whose ARP table it polls. */
  public static final String ROUTER_TABLE = "10.77.0.1";

  public static final IpAddress GATEWAY_IP = IpAddress.of("10.77.0.1");
  public static final IpAddress SERVER_IP = IpAddress.of("10.77.0.10");
  public static final IpAddress CLIENT_IP = IpAddress.of("10.77.0.21");
  public static final MacAddress GATEWAY = MacAddress.of("00:1b:21:77:00:01");
  public static final MacAddress SERVER = MacAddress.of("dc:9b:9c:77:00:10");
  public static final MacAddress ROUTER = MacAddress.of("00:a0:de:77:00:10");
  public static final MacAddress CLIENT = MacAddress.of("52:54:00:77:00:21");
  public static final MacAddress NEWBOX = MacAddress.of("00:0c:29:77:00:30");

  public final DetectionConfig config;
  public final Topics topics = Topics.defaults();
  public final Properties props;
  public final TopologyTestDriver driver;
  public final TestInputTopic<String, SensorEvent> arp;
  public final TestInputTopic<String, InventoryEntry> inventory;
  public final TestInputTopic<String, SensorEvent> host;
  public final TestInputTopic<String, SensorEvent> snmp;
  public final TestOutputTopic<String, Alert> alerts;
  public final TestOutputTopic<String, ProbeRequest> probeRequests;
  public Instant now = T0;

  /** The 802.1Q VLAN of the frames sent from now on, or null (untagged). */
  private Integer vlan;

  /** The configured segment of the sensor that sees them (and probes) from now on, or null. */
  private String segment;

  public Lab(DetectionConfig config) {
    this.config = config;
    this.props =
        DetectionTopology.properties(
            config,
            topics,
            java.util.Map.of("bootstrap.servers", "unused:9092"),
            java.nio.file.Path.of("target", "streams-test"));
    props.put("state.dir", tempStateDir());
    this.driver = new TopologyTestDriver(DetectionTopology.build(topics, config), props, T0);
    this.arp =
        driver.createInputTopic(
            topics.arp().name(),
            topics.arp().keySerde().serializer(),
            topics.arp().valueSerde().serializer());
    this.inventory =
        driver.createInputTopic(
            topics.inventory().name(),
            topics.inventory().keySerde().serializer(),
            topics.inventory().valueSerde().serializer());
    this.host =
        driver.createInputTopic(
            topics.host().name(),
            topics.host().keySerde().serializer(),
            topics.host().valueSerde().serializer());
    this.snmp =
        driver.createInputTopic(
            topics.snmp().name(),
            topics.snmp().keySerde().serializer(),
            topics.snmp().valueSerde().serializer());
    this.alerts =
        driver.createOutputTopic(
            topics.alerts().name(),
            topics.alerts().keySerde().deserializer(),
            topics.alerts().valueSerde().deserializer());
    this.probeRequests =
        driver.createOutputTopic(
            topics.probeRequests().name(),
            topics.probeRequests().keySerde().deserializer(),
            topics.probeRequests().valueSerde().deserializer());
  }

  /**
   * Defaults, deterministic; new stations are learned silently for a day (tests that want them say
   * so).
   */
  public static Lab standard() {
    return new Lab(
        DetectionConfig.defaults().deterministic().withLearningPeriod(Duration.ofDays(1)));
  }

  private static String tempStateDir() {
    try {
      return java.nio.file.Files.createTempDirectory("labwatch-topology-test").toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A record given to the topology through this lab's methods, as the offline driver takes it. */
  public record Recorded(OfflineDetection.Source source, String key, SensorEvent value, long at) {}

  /** Every record given through this lab's methods, in order (not those piped directly). */
  public final List<Recorded> recorded = new java.util.ArrayList<>();

  private void pipeArp(String key, SensorEvent value, Instant at) {
    arp.pipeInput(key, value, at);
    recorded.add(new Recorded(OfflineDetection.Source.ARP, key, value, at.toEpochMilli()));
  }

  public Lab at(Instant t) {
    now = t;
    return this;
  }

  /** The frames sent from now on are tagged with {@code vlan} (null: untagged). */
  public Lab onVlan(Integer vlan) {
    this.vlan = vlan;
    return this;
  }

  /** The frames sent from now on are seen by a sensor configured in {@code segment} (or null). */
  public Lab inSegment(String segment) {
    this.segment = segment;
    return this;
  }

  public Lab after(Duration d) {
    now = now.plus(d);
    return this;
  }

  /** "ip is at mac", as a reply to {@code to}. */
  public Lab reply(IpAddress ip, MacAddress mac) {
    return send(PacketClass.REPLY, ip, mac, CLIENT_IP, CLIENT, mac);
  }

  /** "ip is at mac", as a reply to the asker {@code to} at {@code toMac}. */
  public Lab replyTo(IpAddress ip, MacAddress mac, IpAddress to, MacAddress toMac) {
    return send(PacketClass.REPLY, ip, mac, to, toMac, mac);
  }

  /** A sensor's confirmation probe of {@code ip} starts: its ArpProbe SENT record. */
  public Lab probeSent(IpAddress ip, MacAddress prober) {
    ArpProbe p = ArpProbe.sent(now, SENSOR, "eth0", ip, prober).inSegment(segment);
    pipeArp(p.key(), p, now);
    return this;
  }

  /** A sensor's confirmation probe of {@code ip} ends: its ArpProbe DONE record. */
  public Lab probeDone(IpAddress ip, MacAddress prober, MacAddress... answeredBy) {
    ArpProbe p =
        ArpProbe.done(now, SENSOR, "eth0", ip, prober, 2, List.of(answeredBy)).inSegment(segment);
    pipeArp(p.key(), p, now);
    return this;
  }

  /** "who has target? tell ip (mac)". */
  public Lab request(IpAddress ip, MacAddress mac, IpAddress target) {
    return send(PacketClass.REQUEST, ip, mac, target, MacAddress.ZERO, mac);
  }

  public Lab announce(IpAddress ip, MacAddress mac) {
    return send(PacketClass.ANNOUNCEMENT, ip, mac, ip, MacAddress.BROADCAST, mac);
  }

  public Lab announceFrom(IpAddress ip, MacAddress mac, MacAddress ethernetSource) {
    return send(PacketClass.ANNOUNCEMENT, ip, mac, ip, MacAddress.BROADCAST, ethernetSource);
  }

  public Lab probe(IpAddress target, MacAddress mac) {
    ArpObservation o =
        new ArpObservation(
            now,
            SENSOR,
            "eth0",
            vlan,
            segment,
            PacketClass.PROBE,
            IpAddress.V4_UNSPECIFIED,
            mac,
            target,
            MacAddress.ZERO,
            mac);
    pipeArp(o.key(), o, now);
    return this;
  }

  public Lab send(
      PacketClass c,
      IpAddress ip,
      MacAddress mac,
      IpAddress target,
      MacAddress targetMac,
      MacAddress ethSrc) {
    ArpObservation o =
        new ArpObservation(
            now, SENSOR, "eth0", vlan, segment, c, ip, mac, target, targetMac, ethSrc);
    pipeArp(o.key(), o, now);
    return this;
  }

  /** The router's ARP table, as the SNMP sensor reads it: {@code ip} is at {@code mac}. */
  public Lab routerTable(IpAddress ip, MacAddress mac, ArpObservation.TableEntry entry) {
    pipeArp(
        ip.toString(), ArpObservation.routerTable(now, ROUTER_TABLE, "lan0", ip, mac, entry), now);
    return this;
  }

  public Lab heartbeat(String sensor) {
    return heartbeat(sensor, 10_000);
  }

  /** A heartbeat of a sensor that sends one every {@code intervalMs}. */
  public Lab heartbeat(String sensor, long intervalMs) {
    pipeArp(sensor, new Heartbeat(now, sensor, intervalMs, new Heartbeat.Capture(1, 0, 0)), now);
    return this;
  }

  /** A host sensor's record (a sample or a probe result) in {@code labwatch.host}, at its time. */
  public Lab host(SensorEvent e) {
    host.pipeInput(e.sensorId(), e, e.eventTime());
    recorded.add(
        new Recorded(OfflineDetection.Source.HOST, e.sensorId(), e, e.eventTime().toEpochMilli()));
    return this;
  }

  /**
   * A host sensor's heartbeat in {@code labwatch.host}, {@code ahead} of the lab's clock, which
   * stays where it is: the detection task's other input got ahead of the arp partition's own time.
   */
  public Lab hostAhead(Duration ahead) {
    return host(
        new io.labwatch.events.Heartbeat(
            now.plus(ahead),
            "host-sensor",
            10_000,
            new io.labwatch.events.Heartbeat.Capture(1, 0, 0)));
  }

  /** An SNMP poll's interface counters in {@code labwatch.snmp}, at their time. */
  public Lab snmp(io.labwatch.events.InterfaceCounters c) {
    snmp.pipeInput(c.key(), c, c.eventTime());
    recorded.add(
        new Recorded(OfflineDetection.Source.SNMP, c.key(), c, c.eventTime().toEpochMilli()));
    return this;
  }

  public Lab protect(IpAddress ip, String name, MacAddress... macs) {
    return protectAt(ip, name, macs);
  }

  private Lab protectAt(IpAddress ip, String name, MacAddress... macs) {
    inventory.pipeInput(ip.toString(), new InventoryEntry(ip, List.of(macs), name), now);
    return this;
  }

  /** The probe requests the detection published since the last call. */
  public List<ProbeRequest> probeRequests() {
    return probeRequests.readValuesToList();
  }

  /** The alerts emitted since the last call. */
  public List<Alert> alerts() {
    return alerts.readValuesToList();
  }

  @Override
  public void close() {
    driver.close();
  }
}
