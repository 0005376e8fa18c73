package io.labwatch.streams.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.labwatch.events.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeriesTest {

  private static final long MIN = 60_000;
  private static final Series.Level CPU = new Series.Level(0.5, 0.9, 0.02);

  /** k 4, resolve under 2, 3 samples, half-life 1 h, warm-up 30 min. */
  private static final Series.Rules RULES = new Series.Rules(4, 2, 3, 60 * MIN, 30 * MIN);

  private final Random random = new Random(7);

  private double noisy(double v) {
    return Math.max(0, Math.min(1, v + (random.nextDouble() - 0.5) * 0.04));
  }

  @Test
  void aSpikeAfterTheWarmUpFiresOnceEscalatesAndResolvesWithHysteresis() {
    Series s = new Series();
    long t = 0;
    List<Series.Change> changes = new ArrayList<>();
    for (int i = 0; i < 360; i++, t += 10_000) { // an hour at 12 %
      changes.add(s.observe(noisy(0.12), t, CPU, RULES));
    }
    assertThat(changes).containsOnly(Series.Change.NONE);
    assertThat(s.mean).isBetween(0.10, 0.14);
    // two samples at 80 % are not yet three
    assertThat(s.observe(0.8, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    assertThat(s.observe(0.8, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    assertThat(s.observe(0.8, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.FIRED);
    assertThat(s.firing).isEqualTo(Severity.WARNING);
    assertThat(s.firingSince).isEqualTo(t - 20_000);
    assertThat(s.observe(0.97, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.ESCALATED);
    changes.clear();
    for (int i = 0; i < 30; i++) { // five minutes of it: no more news
      changes.add(s.observe(0.95, t += 10_000, CPU, RULES));
    }
    assertThat(changes).containsOnly(Series.Change.NONE);
    // hysteresis: 45 % is under the floor of 50 % but not under 90 % of it
    for (int i = 0; i < 5; i++) {
      assertThat(s.observe(0.46, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    }
    assertThat(s.observe(0.12, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    assertThat(s.observe(0.12, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    assertThat(s.observe(0.12, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.RESOLVED);
    assertThat(s.firing).isNull();
    // the spike taught the baseline little
    assertThat(s.mean).isLessThan(0.2);
  }

  @Test
  void aBusyStartInTheFirstSamplesIsForgottenByTheEndOfTheWarmUp() {
    Series s = new Series();
    long t = 0;
    // the sensor's own start: its first two samples at 95 and 90 % (labwatch run on 2 cores)
    s.observe(0.95, t, CPU, RULES);
    s.observe(0.90, t += 10_000, CPU, RULES);
    // then the warm-up at 5 %
    while (t < 30 * MIN) {
      assertThat(s.observe(noisy(0.05), t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    }
    assertThat(s.mean).isBetween(0.03, 0.07);
    assertThat(s.dev).isLessThan(0.05);
    // and a spike right after it is one (with the start still in the mean, the threshold was over
    // 100 % for hours: mean 0.69, deviation 0.22)
    assertThat(s.observe(0.8, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    assertThat(s.observe(0.8, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.NONE);
    assertThat(s.observe(0.8, t += 10_000, CPU, RULES)).isEqualTo(Series.Change.FIRED);
  }

  @Test
  void nothingFiresDuringTheWarmUp() {
    Series s = new Series();
    long t = 0;
    for (int i = 0; i < 60; i++, t += 10_000) {
      s.observe(noisy(0.1), t, CPU, RULES);
    }
    for (int i = 0; i < 10; i++, t += 10_000) { // minute 10: 99 %, still warming up
      assertThat(s.observe(0.99, t, CPU, RULES)).isEqualTo(Series.Change.NONE);
    }
  }

  @Test
  void aSlowDailyRampIsNoSpikeTheBaselineFollows() {
    Series s = new Series();
    long t = 0;
    List<Series.Change> changes = new ArrayList<>();
    // 10 % at night to 85 % by day, over 12 hours, and back: a lab that works in the day
    for (int i = 0; i <= 8640; i++, t += 10_000) {
      double phase = i <= 4320 ? i / 4320.0 : (8640 - i) / 4320.0;
      changes.add(s.observe(noisy(0.10 + 0.75 * phase), t, CPU, RULES));
    }
    assertThat(changes).containsOnly(Series.Change.NONE);
    assertThat(s.firing).isNull();
  }

  @Test
  void aValueUnderTheFloorIsNeverASpikeWhateverTheBaseline() {
    Series s = new Series();
    long t = 0;
    for (int i = 0; i < 360; i++, t += 10_000) {
      s.observe(0.01, t, CPU, RULES);
    }
    for (int i = 0; i < 10; i++, t += 10_000) { // 40 x the baseline, but 40 %
      assertThat(s.observe(0.40, t, CPU, RULES)).isEqualTo(Series.Change.NONE);
    }
  }
}
