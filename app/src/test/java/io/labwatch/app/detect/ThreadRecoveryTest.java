package io.labwatch.app.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadRecoveryTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final ThreadRecovery recovery = new ThreadRecovery(now::get);

  private void after(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aThreadKilledByABrokerRestartIsReplacedAtOnce() {
    assertThat(recovery.onThreadDeath()).isZero();
    assertThat(recovery.looping()).isFalse();
  }

  @Test
  void aBrokerRestartedEighteenTimesInFourMinutesNeverEndsOrSlowsTheDetection() {
    // (what BrokerKillIT does: a kill every 13 s; the old policy gave up at the sixth death)
    for (int i = 0; i < 18; i++) {
      after(Duration.ofSeconds(13));
      assertThat(recovery.onThreadDeath()).as("death %d", i + 1).isZero();
    }
    assertThat(recovery.looping()).isFalse();
  }

  @Test
  void aThreadThatDiesRightAfterEachReplacementIsReplacedAfterADoublingPauseAndReported() {
    assertThat(recovery.onThreadDeath()).isZero();
    after(Duration.ofSeconds(2));
    assertThat(recovery.onThreadDeath()).isEqualTo(Duration.ofSeconds(1));
    after(Duration.ofSeconds(3)); // 1 s pause, then 2 s alive
    assertThat(recovery.onThreadDeath()).isEqualTo(Duration.ofSeconds(2));
    after(Duration.ofSeconds(4));
    assertThat(recovery.onThreadDeath()).isEqualTo(Duration.ofSeconds(4));
    assertThat(recovery.looping()).isTrue();
    Duration pause = Duration.ofSeconds(4);
    for (int i = 0; i < 10; i++) {
      after(pause.plusSeconds(2)); // replaced after the pause, dies 2 s later
      pause = recovery.onThreadDeath();
    }
    assertThat(pause).isEqualTo(ThreadRecovery.MAX_PAUSE);
  }

  @Test
  void aQuietSpellStartsOver() {
    recovery.onThreadDeath();
    after(Duration.ofSeconds(1));
    recovery.onThreadDeath();
    after(Duration.ofSeconds(1));
    recovery.onThreadDeath();
    after(Duration.ofSeconds(1));
    recovery.onThreadDeath();
    assertThat(recovery.looping()).isTrue();

    after(Duration.ofMinutes(5));
    assertThat(recovery.looping()).isFalse();
    assertThat(recovery.onThreadDeath()).isZero();
  }
}
