package io.labwatch.app.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import io.labwatch.producers.publish.EventPublisher;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DiskGuardTest {

  static final long MIB = EmbeddedBroker.MIB;
  static final long RESERVE = 128 * MIB;

  private final AtomicLong free = new AtomicLong(1024 * MIB);
  private final AtomicReference<String> brokerStopped = new AtomicReference<>();
  private final DiskGuard guard =
      new DiskGuard(Path.of("/data"), RESERVE, free::get, brokerStopped::get);
  private final List<Boolean> changes = new ArrayList<>();
  private final List<Object> published = new ArrayList<>();

  @Test
  void shouldDropAndCountObservationsBelowTheReserveAndResumeOnlyAboveItPlusTheHysteresis() {
    // given
    guard.onChange(changes::add);
    EventPublisher p = guard.guard(recording());
    guard.check();
    p.observation(observation());

    // when the disk fills past the reserve
    free.set(RESERVE - 1);
    guard.check();
    p.observation(observation());
    p.observation(observation());
    p.heartbeat(heartbeat());

    // then
    assertThat(guard.problem())
        .isEqualTo(
            "the disk of /data is full (127 MiB free, labwatch needs 128): observations are"
                + " dropped (2 so far) and the detection is paused until space is freed");
    assertThat(guard.dropped()).isEqualTo(2);

    // and a disk back at the reserve is not enough
    free.set(RESERVE);
    guard.check();
    assertThat(guard.blocked()).isTrue();

    free.set(RESERVE + DiskGuard.HYSTERESIS_BYTES);
    guard.check();
    p.observation(observation());
    assertThat(guard.problem()).isNull();
    assertThat(changes).containsExactly(true, false);
    assertThat(published).hasSize(2).allMatch(o -> o instanceof ArpObservation);
  }

  @Test
  void shouldDropWhileTheBrokerHasStoppedItselfEvenWithTheReserveFree() {
    // given
    guard.onChange(changes::add);
    EventPublisher p = guard.guard(recording());

    // when
    brokerStopped.set("Shutdown broker because all log dirs in /data/kafka have failed");
    guard.check();
    p.observation(observation());

    // then
    assertThat(guard.problem())
        .startsWith("stopped (Shutdown broker because all log dirs")
        .endsWith(
            "observations are dropped (1 so far) and the detection is paused until space is"
                + " freed, then the broker starts again");
    brokerStopped.set(null);
    guard.check();
    assertThat(guard.problem()).isNull();
    assertThat(changes).containsExactly(true, false);
    assertThat(published).isEmpty();
  }

  @Test
  void shouldNeverBlockWithAReserveOfZero() {
    free.set(0);
    guard.check();
    DiskGuard off = new DiskGuard(Path.of("/data"), 0, free::get, brokerStopped::get);
    off.check();
    assertThat(off.blocked()).isFalse();
    assertThat(guard.blocked()).isTrue();
  }

  private EventPublisher recording() {
    return new EventPublisher() {
      @Override
      public void observation(ArpObservation o) {
        published.add(o);
      }

      @Override
      public void heartbeat(Heartbeat h) {
        published.add(h);
      }

      @Override
      public void close() {}
    };
  }

  private static ArpObservation observation() {
    MacAddress mac = MacAddress.of("52:54:00:77:00:10");
    return new ArpObservation(
        Instant.parse("2026-01-01T00:00:00Z"),
        "lab-sw1",
        "eth0",
        null,
        PacketClass.REPLY,
        IpAddress.of("10.77.0.10"),
        mac,
        IpAddress.of("10.77.0.21"),
        MacAddress.of("52:54:00:77:00:21"),
        mac);
  }

  private static Heartbeat heartbeat() {
    return new Heartbeat(
        Instant.parse("2026-01-01T00:00:00Z"), "lab-sw1", 10_000, new Heartbeat.Capture(1, 0, 0));
  }

  @Test
  void aBrokerOutageIsInOneWordingFromItsStopUntilWritingResumes() {
    guard.check();
    brokerStopped.set("its log dir failed");

    String stopping = guard.problem(); // before the guard's next check has seen the stop
    guard.check();
    String stopped = guard.problem();
    brokerStopped.set(null); // the broker is back; the guard resumes writing at its next check
    String back = guard.problem();
    guard.check();

    assertThat(stopping).startsWith("stopped (its log dir failed; /data has 1024 MiB free)");
    assertThat(stopped).isEqualTo(stopping);
    assertThat(back).as("writing has not resumed yet").isEqualTo(stopping);
    assertThat(guard.problem()).isNull();
  }
}
