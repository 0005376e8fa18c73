package io.labwatch.producers.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.producers.testing.FakeSnmpAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.VariableBinding;

/** GETBULK walks against an in-memory agent (no sockets): what they gather, where they stop. */
class WalkerTest {

  /** A client that answers from {@code agent}'s MIB, through {@code change}, counting requests. */
  static class InMemory implements SnmpClient {
    final FakeSnmpAgent agent;
    final UnaryOperator<PDU> change;
    final List<PDU> requests = new ArrayList<>();

    InMemory(FakeSnmpAgent agent, UnaryOperator<PDU> change) {
      this.agent = agent;
      this.change = change;
    }

    @Override
    public PDU newPdu() {
      return new PDU();
    }

    @Override
    public PDU send(PDU request) {
      requests.add(request);
      return change.apply(agent.respond(request));
    }
  }

  private static final List<OID> COLUMNS = List.of(Mib.IF_NAME, Mib.IF_HC_IN_OCTETS);

  @Test
  void gathersEveryColumnByRowAndTheNonRepeaterWithTheFirstRequest() throws Exception {
    try (FakeSnmpAgent agent = FakeSnmpAgent.start("c")) {
      for (int i = 1; i <= 10; i++) {
        agent.ifXEntry(i, "eth" + i, 1000L * i, 0);
      }
      agent.remove(FakeSnmpAgent.ifXTable(6, 7)); // a row without its counter
      InMemory client = new InMemory(agent, p -> p);

      Walker.Table t = Walker.walk(client, COLUMNS, Mib.SYS_UP_TIME, 4);

      assertThat(t.rows()).hasSize(10);
      assertThat(t.rows().get(new OID("3")))
          .containsExactly(new OctetString("eth3"), new Counter64(3000));
      assertThat(t.rows().get(new OID("7"))[1]).isNull();
      assertThat(t.nonRepeater()).isEqualTo(new TimeTicks(12_345));
      assertThat(client.requests.get(0).getNonRepeaters()).isEqualTo(1);
      assertThat(client.requests.subList(1, client.requests.size()))
          .allMatch(r -> r.getNonRepeaters() == 0);
      // 10 rows at 4 a request, the end found on the third
      assertThat(t.requests()).isEqualTo(3);
    }
  }

  @Test
  void aTableThatNeverEndsIsCutOffAtItsBound() throws Exception {
    try (FakeSnmpAgent agent = FakeSnmpAgent.start("c")) {
      // an agent whose every answer is the row after the one asked for, forever
      InMemory client =
          new InMemory(
              agent,
              response -> {
                PDU r = new PDU();
                r.setType(PDU.RESPONSE);
                return r;
              }) {
            @Override
            public PDU send(PDU request) {
              PDU r = new PDU();
              r.setType(PDU.RESPONSE);
              for (int rep = 0; rep < request.getMaxRepetitions(); rep++) {
                for (VariableBinding vb : request.getVariableBindings()) {
                  OID next = new OID(vb.getOid()).append(rep + 1);
                  r.add(new VariableBinding(next, new OctetString("x")));
                }
              }
              requests.add(request);
              return r;
            }
          };

      assertThatThrownBy(() -> Walker.walk(client, COLUMNS, null, 25, 1000))
          .isInstanceOf(PollFailure.class)
          .hasMessage("nonsense from the agent: more than 1000 rows under " + Mib.IF_NAME);
      assertThat(client.requests.size()).isLessThan(100);
    }
  }

  @Test
  void tooBigHalvesTheRepetitionsUntilTheAnswerFits() throws Exception {
    try (FakeSnmpAgent agent = FakeSnmpAgent.start("c").maxVarbinds(10)) {
      for (int i = 1; i <= 20; i++) {
        agent.ifXEntry(i, "eth" + i, i, 0);
      }
      InMemory client = new InMemory(agent, p -> p);

      Walker.Table t = Walker.walk(client, COLUMNS, null, 25);

      assertThat(t.rows()).hasSize(20);
      assertThat(client.requests)
          .extracting(PDU::getMaxRepetitions)
          .startsWith(25, 12, 6, 3)
          .last()
          .isEqualTo(3);
    }
  }

  @Test
  void anErrorStatusOtherThanTooBigEndsTheWalkNamingIt() throws Exception {
    try (FakeSnmpAgent agent = FakeSnmpAgent.start("c")) {
      agent.ifXEntry(1, "eth1", 1, 0);
      InMemory client =
          new InMemory(
              agent,
              p -> {
                p.setErrorStatus(PDU.noAccess);
                return p;
              });
      assertThatThrownBy(() -> Walker.walk(client, COLUMNS, null, 25))
          .isInstanceOf(PollFailure.class)
          .hasMessage("the agent answered noAccess (error 6) to a GETBULK of " + Mib.IF_NAME);
    }
  }
}
