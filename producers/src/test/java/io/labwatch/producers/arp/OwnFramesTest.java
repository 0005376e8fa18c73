package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import io.labwatch.events.MacAddress;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OwnFramesTest {

  private static final MacAddress SENSOR = MacAddress.of("02:00:00:00:02:50");
  private static final MacAddress OTHER = MacAddress.of("3c:fd:fe:0a:00:10");
  private static final IpAddress TARGET = IpAddress.of("10.77.0.10");

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final OwnFrames own = new OwnFrames(now::get);

  @Test
  void theCopyOfASentProbeFromZeroIsOwnAndIsReadAsAProbeOtherwise() {
    byte[] probe = Prober.request(SENSOR, IpAddress.V4_UNSPECIFIED, TARGET);
    own.sending(probe);

    assertThat(own.isOwn(probe.clone(), probe.length)).isTrue();
    // the capture may also deliver it without the padding
    assertThat(own.isOwn(Arrays.copyOf(probe, 42), 42)).isTrue();
  }

  @Test
  void anotherStationsProbeForTheSameIpIsNotOwn() {
    own.sending(Prober.request(SENSOR, IpAddress.V4_UNSPECIFIED, TARGET));

    assertThat(isOwn(Prober.request(OTHER, IpAddress.V4_UNSPECIFIED, TARGET))).isFalse();
  }

  @Test
  void aFrameWithTheSensorsMacThatAsksSomethingElseIsNotOwn() {
    own.sending(Prober.request(SENSOR, IpAddress.of("10.77.0.250"), TARGET));

    assertThat(
            isOwn(Prober.request(SENSOR, IpAddress.of("10.77.0.250"), IpAddress.of("10.77.0.11"))))
        .isFalse();
    assertThat(isOwn(Prober.request(SENSOR, IpAddress.V4_UNSPECIFIED, TARGET))).isFalse();
    byte[] reply = Prober.request(SENSOR, IpAddress.of("10.77.0.250"), TARGET);
    reply[21] = 2;
    assertThat(isOwn(reply)).isFalse();
  }

  @Test
  void aSentFrameIsForgottenAfterTheWindow() {
    byte[] request = Prober.request(SENSOR, IpAddress.of("10.77.0.250"), TARGET);
    own.sending(request);

    now.addAndGet(OwnFrames.WINDOW_NANOS);
    assertThat(isOwn(request)).isTrue();
    now.addAndGet(1);
    assertThat(isOwn(request)).isFalse();
  }

  @Test
  void nothingSentMeansNothingIsOwnAndShortFramesNeverAre() {
    byte[] request = Prober.request(SENSOR, IpAddress.of("10.77.0.250"), TARGET);
    assertThat(isOwn(request)).isFalse();

    own.sending(request);
    assertThat(own.isOwn(request, 41)).isFalse();
    assertThat(own.isOwn(new byte[0], 0)).isFalse();
  }

  private boolean isOwn(byte[] frame) {
    return own.isOwn(frame, frame.length);
  }
}
