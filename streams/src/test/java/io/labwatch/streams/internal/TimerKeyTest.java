package io.labwatch.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Timer keys sort by due time, so that a range scan up to now finds exactly the due timers. */
class TimerKeyTest {

  @Test
  void keysAreTheZeroPaddedDueTimeThenTheIp() {
    assertThat(DetectionProcessor.timerKey(1_764_799_147_250L, "10.77.0.10"))
        .isEqualTo("001764799147250|10.77.0.10");
    assertThat(DetectionProcessor.timerKey(0, "fe80::1")).isEqualTo("000000000000000|fe80::1");
    assertThat(DetectionProcessor.timerKey(-5, "10.0.0.1")).isEqualTo("000000000000000|10.0.0.1");
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      long at = random.nextLong(0, 999_999_999_999_999L);
      assertThat(DetectionProcessor.timerKey(at, "10.0.0.1"))
          .isEqualTo(String.format(Locale.ROOT, "%015d|%s", at, "10.0.0.1"));
    }
  }

  @Test
  void keysSortAsTheirDueTimes() {
    SplittableRandom random = new SplittableRandom(8);
    List<Long> times = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      long at = random.nextLong(0, 4_000_000_000_000L);
      times.add(at);
      keys.add(DetectionProcessor.timerKey(at, "10.0.0." + random.nextInt(256)));
    }
    List<Long> byKey = keys.stream().sorted().map(k -> Long.parseLong(k.substring(0, 15))).toList();
    assertThat(byKey).isEqualTo(times.stream().sorted().toList());
  }
}
