package io.labwatch.app.detect;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThreadRecoveryTest {

  private final AtomicLong now = new AtomicLong();
  private final ThreadRecovery recovery = new ThreadRecovery(3, Duration.ofMinutes(10), now::get);

  @Test
  void aThreadKilledByABrokerRestartIsReplaced() {
    assertThat(recovery.onThreadDeath()).isEqualTo(REPLACE_THREAD);
    assertThat(recovery.recent()).isEqualTo(1);
  }

  @Test
  void anErrorThatKeepsKillingTheThreadStopsTheClientInsteadOfLoopingForever() {
    assertThat(recovery.onThreadDeath()).isEqualTo(REPLACE_THREAD);
    assertThat(recovery.onThreadDeath()).isEqualTo(REPLACE_THREAD);
    assertThat(recovery.onThreadDeath()).isEqualTo(REPLACE_THREAD);

    assertThat(recovery.onThreadDeath()).isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void replacementsOlderThanTheWindowNoLongerCount() {
    recovery.onThreadDeath();
    recovery.onThreadDeath();
    recovery.onThreadDeath();
    now.addAndGet(Duration.ofMinutes(10).plusSeconds(1).toNanos());

    assertThat(recovery.onThreadDeath()).isEqualTo(REPLACE_THREAD);
    assertThat(recovery.recent()).isEqualTo(1);
  }
}
