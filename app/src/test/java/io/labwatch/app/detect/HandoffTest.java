package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labwatch.events.ArpObservation;
import io.labwatch.events.Heartbeat;
import io.labwatch.events.IpAddress;
import io.labwatch.events.LabwatchException;
import io.labwatch.events.MacAddress;
import io.labwatch.events.PacketClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the reading thread hands over reaches the detection's side whole and in order — across
 * batches, progress between the events — with the reader's result; a failure on either side ends
 * both and is thrown to the caller.
 */
class HandoffTest {

  private static final Instant T0 = Instant.parse("2026-11-25T14:00:00Z");

  private static ArpObservation observation(int i) {
    return new ArpObservation(
        T0.plusMillis(i),
        "lab-sw1",
        "eth0",
        null,
        PacketClass.REQUEST,
        IpAddress.of("10.0." + (i / 256 % 256) + "." + (i % 256)),
        MacAddress.fromLong(0x3cfdfe000000L + i),
        IpAddress.of("10.0.0.1"),
        MacAddress.fromLong(0),
        MacAddress.fromLong(0x3cfdfe000000L + i));
  }

  /** Records what reaches it, one line per call. */
  private static class Recorder implements Handoff.Sink {
    final List<String> calls = new ArrayList<>();

    @Override
    public void observation(String key, ArpObservation o, long timestamp) {
      calls.add("o " + key + " " + timestamp);
    }

    @Override
    public void heartbeat(String key, Heartbeat h, long timestamp) {
      calls.add("h " + key + " " + timestamp);
    }

    @Override
    public void progress(long packets, long bytes) {
      calls.add("p " + packets + " " + bytes);
    }
  }

  @Test
  void shouldHandOverEveryEventInOrderAcrossBatchesWithTheReadersResult() {
    int n = Handoff.BATCH * (Handoff.IN_FLIGHT + 3) + 17; // more than the queue holds
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ArpObservation o = observation(i);
      expected.add("o " + o.subjectIp() + " " + o.eventTime().toEpochMilli());
      if (i % 1000 == 999) {
        expected.add("p " + (i + 1) + " " + (i * 42));
      }
    }
    expected.add("h lab-sw1 " + T0.plusMillis(n).toEpochMilli());
    Recorder sink = new Recorder();

    Handoff<String> h =
        Handoff.start(
            "test-reader",
            out -> {
              for (int i = 0; i < n; i++) {
                out.observation(observation(i));
                if (i % 1000 == 999) {
                  out.at(i + 1, i * 42L);
                }
              }
              out.heartbeat(
                  Heartbeat.ofReplay(
                      T0.plusMillis(n), "lab-sw1", 10_000, new Heartbeat.Capture(n, 0, 0), "x"));
              return "done";
            });
    String result = h.drainInto(sink);

    assertThat(result).isEqualTo("done");
    assertThat(sink.calls).containsExactlyElementsOf(expected);
  }

  @Test
  void shouldThrowTheReadersFailureAfterWhatItHandedOverBefore() {
    Recorder sink = new Recorder();
    Handoff<String> h =
        Handoff.start(
            "test-reader",
            out -> {
              out.observation(observation(1));
              throw new LabwatchException("capture file x.pcap is not a capture");
            });

    assertThatThrownBy(() -> h.drainInto(sink))
        .isInstanceOf(LabwatchException.class)
        .hasMessage("capture file x.pcap is not a capture");
    assertThat(sink.calls).containsExactly("o 10.0.0.1 " + T0.plusMillis(1).toEpochMilli());
  }

  @Test
  void shouldStopTheReaderWhenTheDetectionFails() throws Exception {
    AtomicLong read = new AtomicLong();
    Thread[] readerThread = new Thread[1];
    Handoff<String> h =
        Handoff.start(
            "test-reader",
            out -> {
              readerThread[0] = Thread.currentThread();
              for (int i = 0; !out.abandoned(); i++) { // endless, but for the stop signal
                out.observation(observation(i));
                read.incrementAndGet();
              }
              return "stopped";
            });

    assertThatThrownBy(
            () ->
                h.drainInto(
                    new Recorder() {
                      @Override
                      public void observation(String key, ArpObservation o, long timestamp) {
                        throw new IllegalStateException("the detection failed");
                      }
                    }))
        .hasMessage("the detection failed");
    assertThat(h.abandoned()).isTrue();
    readerThread[0].join(10_000);
    assertThat(readerThread[0].isAlive()).isFalse();
  }
}
