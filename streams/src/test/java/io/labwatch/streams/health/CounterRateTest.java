package io.labwatch.streams.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CounterRateTest {

  private static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void aCounterThatWentOnIsItsDifferenceOverTheTime() {
    assertThat(CounterRate.perSecond(1_000, 31_000, 64, 30, false, INF)).isEqualTo(1_000.0);
  }

  @Test
  void aThirtyTwoBitCounterThatWentBackWrappedAndCountsTheWrap() {
    long before = 0xFFFF_FFFFL - 9_999; // 10,000 before the wrap
    assertThat(CounterRate.perSecond(before, 20_000, 32, 30, false, INF)).isEqualTo(1_000.0);
  }

  @Test
  void aWrapFasterThanTheInterfaceCanCountWasAReset() {
    // half of 2^32 in 30 s is 71 MB/s; a 100 Mbit/s interface counts at most 12.5 MB/s
    assertThat(CounterRate.perSecond(2_000_000_000L, 10, 32, 30, false, 12_500_000 * 1.5)).isNaN();
  }

  @Test
  void aSixtyFourBitCounterThatWentBackWasResetAndHasNoRate() {
    assertThat(CounterRate.perSecond(5_000_000, 1_000, 64, 30, false, INF)).isNaN();
  }

  @Test
  void unsignedSixtyFourBitValuesBeyondLongMaxKeepTheirDifference() {
    long before = 0xFFFF_FFFF_FFFF_0000L; // 2^64 - 65536, negative as a long
    long after = 0xFFFF_FFFF_FFFF_FFFFL;
    assertThat(CounterRate.perSecond(before, after, 64, 1, false, INF)).isEqualTo(65_535.0);
  }

  @Test
  void aRestartOrNoTimeBetweenTheSamplesGivesNoRate() {
    assertThat(CounterRate.perSecond(1, 2, 64, 30, true, INF)).isNaN();
    assertThat(CounterRate.perSecond(1, 2, 64, 0, false, INF)).isNaN();
  }

  @Test
  void anAgentRestartedWhenItsUptimeWentBackButNotWhenItsTimeTicksWrapped() {
    assertThat(CounterRate.agentRestarted(100_000, 103_000, 30)).isFalse();
    assertThat(CounterRate.agentRestarted(100_000, 1_500, 30)).as("restarted 15 s ago").isTrue();
    // a TimeTicks wrap: 497 days up, 30 s later 1,000 ticks past the wrap
    long nearMax = 0xFFFF_FFFFL - 2_000;
    assertThat(CounterRate.agentRestarted(nearMax, 1_000, 30)).isFalse();
    // went on, but far less than the time between the polls: restarted and up again since
    assertThat(CounterRate.agentRestarted(5_000, 5_100, 600)).isTrue();
  }
}
