package io.labwatch.producers.arp;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.IpAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeLimiterTest {

  private static final ArpSensorConfig.Confirm SHIPPED = ArpSensorConfig.Confirm.defaults();
  private static final long SECOND = 1_000_000_000L;

  private final ProbeLimiter limiter =
      new ProbeLimiter(SHIPPED.perIpInterval(), SHIPPED.ratePerSecond(), SHIPPED.maxInFlight());

  private static IpAddress ip(int n) {
    return IpAddress.of("10.77." + (n / 250) + "." + (n % 250 + 1));
  }

  @Test
  void anIpIsProbedOncePerIntervalAndAgainAfterIt() {
    long t = 42 * SECOND;
    long interval = SHIPPED.perIpInterval().toNanos();

    assertThat(limiter.tryStart(ip(1), t)).isEqualTo(ProbeLimiter.Verdict.RUN);
    limiter.done();
    assertThat(limiter.tryStart(ip(1), t + interval - 1)).isEqualTo(ProbeLimiter.Verdict.SAME_IP);
    assertThat(limiter.tryStart(ip(2), t + interval - 1)).isEqualTo(ProbeLimiter.Verdict.RUN);
    assertThat(limiter.tryStart(ip(1), t + interval)).isEqualTo(ProbeLimiter.Verdict.RUN);
  }

  @Test
  void aBurstPassesOneSecondsWorthThenTheRateRefillsTheBucket() {
    long t = 7 * SECOND;
    List<ProbeLimiter.Verdict> burst = new ArrayList<>();
    for (int i = 0; i < SHIPPED.ratePerSecond() + 3; i++) {
      burst.add(limiter.tryStart(ip(i), t));
      limiter.done();
    }

    assertThat(burst)
        .containsExactlyElementsOf(
            concat(
                SHIPPED.ratePerSecond(), ProbeLimiter.Verdict.RUN, 3, ProbeLimiter.Verdict.RATE));
    // one token comes back every 1/rate seconds
    long oneToken = SECOND / SHIPPED.ratePerSecond();
    assertThat(limiter.tryStart(ip(100), t + oneToken - 1_000))
        .isEqualTo(ProbeLimiter.Verdict.RATE);
    assertThat(limiter.tryStart(ip(101), t + oneToken)).isEqualTo(ProbeLimiter.Verdict.RUN);
  }

  @Test
  void runsUnderWayAreBoundedAndAFinishedRunMakesRoom() {
    ProbeLimiter tight = new ProbeLimiter(Duration.ofSeconds(10), 100, 2);
    long t = SECOND;

    assertThat(tight.tryStart(ip(1), t)).isEqualTo(ProbeLimiter.Verdict.RUN);
    assertThat(tight.tryStart(ip(2), t)).isEqualTo(ProbeLimiter.Verdict.RUN);
    assertThat(tight.tryStart(ip(3), t)).isEqualTo(ProbeLimiter.Verdict.IN_FLIGHT);
    tight.done();
    assertThat(tight.inFlight()).isEqualTo(1);
    assertThat(tight.tryStart(ip(3), t)).isEqualTo(ProbeLimiter.Verdict.RUN);
  }

  @Test
  void aSkippedRequestDoesNotHoldItsIpBack() {
    ProbeLimiter oneAtATime = new ProbeLimiter(Duration.ofSeconds(10), 100, 1);
    long t = SECOND;
    assertThat(oneAtATime.tryStart(ip(1), t)).isEqualTo(ProbeLimiter.Verdict.RUN);
    assertThat(oneAtATime.tryStart(ip(2), t)).isEqualTo(ProbeLimiter.Verdict.IN_FLIGHT);
    oneAtATime.done();

    assertThat(oneAtATime.tryStart(ip(2), t + 1)).isEqualTo(ProbeLimiter.Verdict.RUN);
  }

  private static List<ProbeLimiter.Verdict> concat(
      int n, ProbeLimiter.Verdict a, int m, ProbeLimiter.Verdict b) {
    List<ProbeLimiter.Verdict> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(a);
    }
    for (int i = 0; i < m; i++) {
      out.add(b);
    }
    return out;
  }
}
