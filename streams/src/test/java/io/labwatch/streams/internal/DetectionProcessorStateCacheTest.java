package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.streams.DetectionConfig;
import io.labwatch.streams.bindings.IpState;
import io.labwatch.streams.impostors.Claim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * The processor's cache of recent states never hands out a state that a failed record changed: a
 * state goes into the cache only once it is stored, and one whose record failed is taken out. So a
 * record whose processing fails half-way (here: the state store refuses the write, after the rules
 * changed the state) leaves no trace, and the next record sees what the store holds.
 */
class DetectionProcessorStateCacheTest {

  static final long T0 = Instant.parse("2026-11-25T14:02:11Z").toEpochMilli();
  static final String IP = "10.77.0.10";
  static final String SERVER = "dc:9b:9c:77:00:10";
  static final String ROUTER = "00:a0:de:77:00:10";

  /**
   * An {@code ip-state} store that keeps bytes, as the real one does (so a state object changed
   * after its write does not change what is stored), and whose writes fail while {@link #failing}.
   */
  static final class RefusingStore extends ObjectStore<String, Object> {
    private final IpStateSerde serde = new IpStateSerde();
    boolean failing;

    RefusingStore() {
      super(DetectionSupplier.IP_STATE_STORE);
    }

    @Override
    public void put(String key, Object value) {
      if (failing) {
        throw new IllegalStateException("the store refuses the write");
      }
      super.put(key, value == null ? null : serde.serialize("", (IpState) value));
    }

    @Override
    public Object get(String key) {
      return serde.deserialize("", (byte[]) super.get(key));
    }
  }

  private final RefusingStore ipStates = new RefusingStore();
  private final OfflineContext<String, Object> context = new OfflineContext<>("cache-test", "arp");
  private final DetectionProcessor processor;

  DetectionProcessorStateCacheTest() {
    DetectionSupplier detection =
        new DetectionSupplier(DetectionConfig.defaults().deterministic(), 1);
    for (StateStore s : OfflineStores.of(detection, Map.of())) {
      context.addStateStore(s.name().equals(DetectionSupplier.IP_STATE_STORE) ? ipStates : s);
    }
    processor = new DetectionProcessor(DetectionConfig.defaults().deterministic(), 1);
    processor.init(context);
  }

  private List<Object> claim(String mac, long at) {
    ArpObservation o =
        new ArpObservation(
            Instant.ofEpochMilli(at),
            "lab-sw1",
            "eth0",
            null,
            PacketClass.REPLY,
            IpAddress.of(IP),
            MacAddress.of(mac),
            IpAddress.of("10.77.0.21"),
            MacAddress.of("52:54:00:77:00:21"),
            MacAddress.of(mac));
    context.nextRecord(at);
    processor.process(new Record<>(IP, o, at));
    context.punctuate();
    return context.takeForwarded();
  }

  /** The alerts of the server's claim and then the router's, with nothing failing. */
  private static List<Object> withoutFailure() {
    DetectionProcessorStateCacheTest clean = new DetectionProcessorStateCacheTest();
    List<Object> out = new ArrayList<>(clean.claim(SERVER, T0));
    out.addAll(clean.claim(ROUTER, T0 + 30));
    return out;
  }

  @Test
  void aRecordWhoseStateWriteFailsLeavesNoTraceSoItsRetryRaisesTheConflictAsIfItHadNotFailed() {
    List<Object> expected = withoutFailure();
    assertThat(expected)
        .filteredOn(o -> o instanceof Claim c && c.alert() != null)
        .extracting(o -> ((Claim) o).alert().fingerprint())
        .containsExactly("IP_CONFLICT:" + IP);

    List<Object> alerts = new ArrayList<>(claim(SERVER, T0));
    ipStates.failing = true;
    assertThatThrownBy(() -> claim(ROUTER, T0 + 30)).hasMessage("the store refuses the write");
    ipStates.failing = false;
    context.takeForwarded(); // (nothing: the failure came before the alert was forwarded)
    alerts.addAll(claim(ROUTER, T0 + 30));

    assertThat(alerts).isEqualTo(expected);
  }
}
