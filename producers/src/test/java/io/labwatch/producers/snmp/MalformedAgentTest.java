package io.labwatch.producers.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.producers.testing.FakeSnmpAgent;
import io.labwatch.producers.testing.RecordingPublisher;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.asn1.BER;
import org.snmp4j.asn1.BERInputStream;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.VariableBinding;

/**
 * Agents on loopback that answer what no agent should: bytes that are no SNMP, a walk that loops,
 * an answer of nothing, an error status, a report nobody asked for. Each is one line of problem for
 * that device; the sensor goes on, and polls the router next to it as before.
 */
class MalformedAgentTest {

  static final String COMMUNITY = SnmpSensorTest.COMMUNITY;

  private final List<FakeSnmpAgent> agents = new ArrayList<>();
  private final RecordingPublisher published = new RecordingPublisher();
  private SnmpSensor sensor;

  @AfterEach
  void stop() {
    if (sensor != null) {
      sensor.close();
    }
    agents.forEach(FakeSnmpAgent::close);
  }

  private FakeSnmpAgent agent() throws Exception {
    FakeSnmpAgent a = FakeSnmpAgent.start(COMMUNITY);
    agents.add(a);
    return a.ifEntry(1, "eth0", 10, 20)
        .ifXEntry(1, "eth0", 10, 20)
        .arp(1, IpAddress.of("10.77.0.10"), MacAddress.of("dc:9b:9c:77:00:10"));
  }

  /** The answer's PDU, changed by {@code f}, in a message like the agent's own. */
  private static UnaryOperator<byte[]> changePdu(UnaryOperator<PDU> f) {
    return bytes -> {
      try {
        BERInputStream in = new BERInputStream(ByteBuffer.wrap(bytes));
        BER.MutableByte type = new BER.MutableByte();
        BER.decodeHeader(in, type);
        int version = BER.decodeInteger(in, type);
        OctetString community = new OctetString();
        community.decodeBER(in);
        PDU pdu = new PDU();
        pdu.decodeBER(in);
        return FakeSnmpAgent.encode(version, community, f.apply(pdu));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  /**
   * Runs the sensor on {@code bad} and a good router; returns {@code bad}'s problem once it has
   * one, after checking that the good router was polled throughout.
   */
  private String problemOf(FakeSnmpAgent bad) throws Exception {
    FakeSnmpAgent good = agent();
    sensor =
        SnmpSensor.start(
            SnmpSensorTest.config(
                Duration.ofMillis(300),
                SnmpSensorTest.named("bad", bad.address()),
                SnmpSensorTest.named("good", good.address())),
            published,
            Clock.systemUTC());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sensor.problem() != null && sensor.problem().startsWith("bad: "));
    int before = good.requests();
    await().atMost(Duration.ofSeconds(5)).until(() -> good.requests() > before + 2);
    assertThat(sensor.problem()).doesNotContain("good: ");
    assertThat(published.counters).anyMatch(c -> c.sensorId().equals("good"));
    String problem = sensor.problem().substring("bad: ".length());
    assertThat(problem).doesNotContain("\n").doesNotContain(COMMUNITY);
    return problem;
  }

  @Test
  void bytesThatAreNoSnmpAreNoAnswer() throws Exception {
    FakeSnmpAgent bad = agent().answerWith(b -> "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
    assertThat(problemOf(bad)).startsWith("no answer within 300ms (2 tries)");
  }

  @Test
  void anAnswerCutShortIsNoAnswer() throws Exception {
    FakeSnmpAgent bad = agent().answerWith(b -> Arrays.copyOf(b, b.length / 2));
    assertThat(problemOf(bad)).startsWith("no answer within 300ms");
  }

  @Test
  void aLengthFieldOfTwoGigabytesIsNoAnswer() throws Exception {
    FakeSnmpAgent bad =
        agent()
            .answerWith(
                b -> {
                  byte[] out = Arrays.copyOf(b, b.length);
                  // the message's SEQUENCE length, in its long form: 0x84 7f ff ff ff
                  return ByteBuffer.allocate(out.length + 6)
                      .put(
                          new byte[] {
                            0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff
                          })
                      .put(out, 2, out.length - 2)
                      .array();
                });
    assertThat(problemOf(bad)).startsWith("no answer within 300ms");
  }

  @Test
  void aWalkThatLoopsIsStoppedAndNamed() throws Exception {
    // every answer names the OIDs it was asked for again (a column's first row for a column)
    FakeSnmpAgent bad =
        agent()
            .rewrite(
                (request, response) -> {
                  List<VariableBinding> vbs = new ArrayList<>();
                  for (VariableBinding vb : request.getVariableBindings()) {
                    OID oid =
                        vb.getOid().size() <= 11 ? new OID(vb.getOid()).append(1) : vb.getOid();
                    vbs.add(new VariableBinding(oid, new Integer32(1)));
                  }
                  response.setVariableBindings(vbs);
                  return response;
                });
    assertThat(problemOf(bad))
        .contains(
            "interfaces: nonsense from the agent: OIDs out of order: 1.3.6.1.2.1.31.1.1.1.1.1 came"
                + " after 1.3.6.1.2.1.31.1.1.1.1.1 (the walk would loop)")
        .contains(
            "ARP table: nonsense from the agent: OIDs out of order: 1.3.6.1.2.1.4.22.1.2.1.1 came"
                + " after 1.3.6.1.2.1.4.22.1.2.1.1 (the walk would loop)");
  }

  @Test
  void anAnswerOfNothingIsNonsense() throws Exception {
    FakeSnmpAgent bad =
        agent()
            .answerWith(
                changePdu(
                    pdu -> {
                      pdu.setVariableBindings(List.of());
                      return pdu;
                    }));
    assertThat(problemOf(bad)).contains("nonsense from the agent: an empty answer to a GETBULK");
  }

  @Test
  void anErrorStatusIsNamed() throws Exception {
    FakeSnmpAgent bad =
        agent()
            .answerWith(
                changePdu(
                    pdu -> {
                      pdu.setErrorStatus(PDU.genErr);
                      pdu.setErrorIndex(1);
                      return pdu;
                    }));
    assertThat(problemOf(bad))
        .contains("the agent answered genErr (error 5) to a GETBULK of 1.3.6.1.2.1.31.1.1.1.1");
  }

  @Test
  void valuesOfEveryWrongKindAreSkippedAndCounted() throws Exception {
    FakeSnmpAgent bad =
        agent()
            .answerWith(
                changePdu(
                    pdu -> {
                      List<VariableBinding> vbs = new ArrayList<>();
                      for (VariableBinding vb : pdu.getVariableBindings()) {
                        vbs.add(
                            vb.isException()
                                ? vb
                                : new VariableBinding(
                                    vb.getOid(),
                                    Null.noSuchInstance.equals(vb.getVariable())
                                        ? vb.getVariable()
                                        : new OctetString("?")));
                      }
                      pdu.setVariableBindings(vbs);
                      return pdu;
                    }));
    String problem = problemOf(bad);
    assertThat(problem).contains("unusable value");
  }
}
