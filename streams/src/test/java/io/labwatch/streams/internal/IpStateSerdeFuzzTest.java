package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labwatch.streams.bindings.IpState;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Any bytes as a stored per-IP state (a damaged changelog record, a state store from another
 * version): {@link IpStateSerde} decodes them or refuses them with Kafka's {@link
 * SerializationException}, never anything else and never by allocating what a damaged length says;
 * and a state it decodes encodes and decodes back to the same state. Inputs: {@code
 * IpStateSerdeFuzzTestInputs/}.
 */
class IpStateSerdeFuzzTest {

  private final IpStateSerde serde = new IpStateSerde();

  @FuzzTest
  void decodesOrRefuses(byte[] bytes) {
    IpState state;
    try {
      state = serde.deserialize("t", bytes);
    } catch (SerializationException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(state).isNotNull();
    byte[] again = serde.serialize("t", state);
    assertThat(serde.deserialize("t", again)).usingRecursiveComparison().isEqualTo(state);
    assertThat(serde.serialize("t", serde.deserialize("t", again))).isEqualTo(again);
  }

  // Findings, kept as named cases (their inputs are in IpStateSerdeFuzzTestInputs/ too)

  @Test
  void anAlertLengthPastTheEndIsRefusedWithoutAllocatingIt() throws IOException {
    assertThatThrownBy(() -> serde.deserialize("t", input("alert-length-7fffffff")))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("per-IP state is damaged: an alert of 2147483647 bytes, but ")
        .hasMessageEndingWith(" bytes are left");
  }

  private static byte[] input(String name) throws IOException {
    try (var in =
        IpStateSerdeFuzzTest.class.getResourceAsStream(
            "IpStateSerdeFuzzTestInputs/decodesOrRefuses/" + name)) {
      return in.readAllBytes();
    }
  }
}
