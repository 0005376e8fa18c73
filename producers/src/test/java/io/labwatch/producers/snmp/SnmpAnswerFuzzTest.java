package io.labwatch.producers.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labwatch.events.ArpObservation;
import io.labwatch.events.InterfaceCounters;
import io.labwatch.events.SensorEvent;
import io.labwatch.events.Topic;
import io.labwatch.events.Topics;
import io.labwatch.producers.snmp.SnmpSensorConfig.Device;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.asn1.BERInputStream;

/**
 * Any answers from an agent: the input is a run of BER-encoded PDUs, and each request of a poll
 * (the interface walk, the ARP walk) gets the next one — or no answer, when the bytes left do not
 * decode (snmp4j drops such a datagram). A poll of both tables never throws and never loops; its
 * problem, if any, is one line; and what it would publish survives its topic's serde unchanged.
 * Inputs: {@code SnmpAnswerFuzzTestInputs/} (written by {@code make-fuzz-inputs} beside them).
 */
class SnmpAnswerFuzzTest {

  private static final Topic<String, SensorEvent> ARP = Topics.defaults().arp();
  private static final Topic<String, SensorEvent> SNMP = Topics.defaults().snmp();
  private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");

  private static final SnmpSensorConfig.DeviceSettings DEVICE =
      new SnmpSensorConfig(
              List.of(Device.of("10.77.0.1")),
              SnmpSensorConfig.Version.V2C,
              "fuzz",
              "",
              "SHA",
              "",
              "AES",
              "",
              Duration.ofSeconds(30),
              Duration.ofSeconds(1),
              0,
              5,
              null,
              Duration.ofMinutes(10),
              Duration.ofSeconds(10))
          .resolved()
          .get(0);

  /** Answers each request with the next PDU of the input; no answer once none decodes. */
  private static final class Answers implements SnmpClient {
    private final ByteBuffer bytes;
    int requests;
    int answered;

    Answers(byte[] data) {
      this.bytes = ByteBuffer.wrap(data);
    }

    @Override
    public PDU newPdu() {
      return new PDU();
    }

    @Override
    public PDU send(PDU request) throws PollFailure {
      requests++;
      PDU response = new PDU();
      try {
        response.decodeBER(new BERInputStream(bytes));
      } catch (IOException | RuntimeException e) {
        bytes.position(bytes.limit());
        throw new PollFailure(PollFailure.Kind.TIMEOUT, "no answer within 1s");
      }
      answered++;
      if (response.getType() == PDU.REPORT) {
        throw new PollFailure(PollFailure.Kind.REFUSED, "the agent refused the request");
      }
      if (response.getType() != PDU.RESPONSE) {
        throw new PollFailure(PollFailure.Kind.GARBAGE, "nonsense from the agent: not a response");
      }
      return response;
    }
  }

  @FuzzTest
  void pollsWhateverTheAgentAnswers(byte[] data) {
    Answers agent = new Answers(data);
    DevicePoller poller = new DevicePoller(DEVICE, agent, 5);
    ArpTableDiff table = new ArpTableDiff(Duration.ofMinutes(10));

    DevicePoller.Result r = poller.poll(AT);

    // each request took an answer, but the last, which found none: no loop on one answer
    assertThat(agent.requests).isLessThanOrEqualTo(agent.answered + 1);
    if (r.problem() != null) {
      assertThat(r.problem()).isNotBlank().doesNotContain("\n").doesNotContain("\r");
    }
    assertThat(r.unreachable())
        .isEqualTo(r.arp() == null && r.counters() == null && r.unreachable());
    for (ArpObservation o : table.next(r, DEVICE.name())) {
      assertThat(o.subjectIp().isV4()).isTrue();
      roundTrips(ARP, o);
    }
    if (r.counters() != null) {
      for (InterfaceCounters c : r.counters()) {
        assertThat(c.key()).isEqualTo(DEVICE.name() + "/" + c.ifIndex());
        roundTrips(SNMP, c);
      }
    }
  }

  /** The seed that is a well-formed poll is read whole: the fuzzing starts from real answers. */
  @Test
  void theSeedThatIsAWholePollIsReadWhole() throws IOException {
    byte[] seed;
    try (var in =
        getClass()
            .getResourceAsStream(
                "SnmpAnswerFuzzTestInputs/pollsWhateverTheAgentAnswers/a-whole-poll")) {
      seed = in.readAllBytes();
    }
    DevicePoller.Result r = new DevicePoller(DEVICE, new Answers(seed), 5).poll(AT);

    assertThat(r.problem()).isNull();
    assertThat(r.counters())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ifName()).isEqualTo("eth0");
              assertThat(c.counterBits()).isEqualTo(64);
              assertThat(c.counters().inOctets()).isEqualTo(6000);
              assertThat(c.sysUpTime()).isEqualTo(12345);
            });
    assertThat(r.arp())
        .singleElement()
        .satisfies(e -> assertThat(e.ip().toString()).isEqualTo("10.77.0.10"));
  }

  private static void roundTrips(Topic<String, SensorEvent> topic, SensorEvent e) {
    byte[] json = topic.valueSerde().serializer().serialize(topic.name(), e);
    assertThat(topic.valueSerde().deserializer().deserialize(topic.name(), json)).isEqualTo(e);
  }
}
