package io.labwatch.sinks.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** Retry on a fake clock: what it waits between calls, and when it gives up waiting. */
class RetryTest {

  private long now = TimeUnit.HOURS.toNanos(1);
  private boolean stopping;
  private final List<Long> sleeps = new ArrayList<>();
  private final List<Long> callsAtMillis = new ArrayList<>();

  private Retry retry(int burst, LongUnaryOperator jitter) {
    return new Retry(
        new RateLimiter(burst),
        () -> stopping,
        () -> now,
        nanos -> {
          sleeps.add(nanos);
          now += nanos;
        },
        jitter);
  }

  /** Answers in turn, noting when each call came. */
  private java.util.function.Supplier<Delivery> slack(Delivery... answers) {
    Deque<Delivery> left = new ArrayDeque<>(List.of(answers));
    long start = now;
    return () -> {
      callsAtMillis.add(TimeUnit.NANOSECONDS.toMillis(now - start));
      return left.remove();
    };
  }

  private static final Delivery OK = new Delivery.Ok("C1", "1.2");
  private static final Delivery DOWN = new Delivery.Transient("HTTP 503");

  @Test
  void shouldWaitTheRetryAfterOfARateLimitThenDeliver() {
    Retry retry = retry(10, bound -> 0);

    Delivery d = retry.call("#lab", slack(new Delivery.RetryAfter(Duration.ofSeconds(7)), OK));

    assertThat(d).isEqualTo(OK);
    assertThat(callsAtMillis).containsExactly(0L, 7_000L);
    assertThat(retry.retries()).isEqualTo(1);
    assertThat(retry.trouble()).isNull();
  }

  @Test
  void shouldBackOffExponentiallyWithJitterUpToTheMaximum() {
    // the largest jitter there is: half of the backoff
    Retry retry = retry(1_000, bound -> bound - 1);
    Delivery[] answers = new Delivery[10];
    java.util.Arrays.fill(answers, DOWN);
    answers[9] = OK;

    retry.call("#lab", slack(answers));

    List<Long> waits = new ArrayList<>();
    for (int i = 1; i < callsAtMillis.size(); i++) {
      waits.add(callsAtMillis.get(i) - callsAtMillis.get(i - 1));
    }
    assertThat(waits)
        .containsExactly(
            1_500L, 3_000L, 6_000L, 12_000L, 24_000L, 48_000L, 90_000L, 90_000L, 90_000L);
    assertThat(retry.retries()).isEqualTo(9);
  }

  @Test
  void shouldBackOffWithoutJitterWhenTheRandomSaysZero() {
    Retry retry = retry(1_000, bound -> 0);

    retry.call("#lab", slack(DOWN, DOWN, DOWN, OK));

    assertThat(callsAtMillis).containsExactly(0L, 1_000L, 3_000L, 7_000L);
  }

  @Test
  void shouldReturnARefusalAtOnceWithoutRetrying() {
    Retry retry = retry(10, bound -> 0);
    Delivery refused = new Delivery.Permanent("invalid_payload");

    assertThat(retry.call("#lab", slack(refused))).isEqualTo(refused);
    assertThat(callsAtMillis).containsExactly(0L);
    assertThat(sleeps).isEmpty();
    assertThat(retry.retries()).isZero();
  }

  @Test
  void shouldWaitForTheChannelsRateLimitBeforeEachCall() {
    Retry retry = retry(1, bound -> 0);

    retry.call("#lab", slack(OK));
    retry.call("#other", slack(OK));
    retry.call("#lab", slack(OK));

    // one token per channel; #lab's next one comes a second later
    assertThat(callsAtMillis).containsExactly(0L, 0L, 1_000L);
  }

  @Test
  void shouldReportTroubleSinceTheFirstFailureUntilSlackAnswers() {
    Retry retry = retry(1_000, bound -> 0);
    List<Retry.Trouble> seen = new ArrayList<>();
    Deque<Delivery> answers = new ArrayDeque<>(List.of(DOWN, new Delivery.Transient("timeout")));

    retry.call(
        "#lab",
        () -> {
          seen.add(retry.trouble());
          return answers.isEmpty() ? OK : answers.remove();
        });

    assertThat(seen)
        .containsExactly(
            null,
            new Retry.Trouble("HTTP 503", Duration.ofSeconds(1)),
            new Retry.Trouble("timeout", Duration.ofSeconds(3)));
    assertThat(retry.trouble()).isNull();
  }

  @Test
  void shouldStopWaitingWhenTheSinkStops() {
    Retry retry = retry(1_000, bound -> 0);

    assertThatThrownBy(
            () ->
                retry.call(
                    "#lab",
                    () -> {
                      stopping = true;
                      return new Delivery.RetryAfter(Duration.ofSeconds(30));
                    }))
        .isInstanceOf(Retry.Stopped.class);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void shouldSleepInSlicesSoThatAStopIsNoticed() {
    Retry retry = retry(1_000, bound -> 0);

    retry.call("#lab", slack(new Delivery.RetryAfter(Duration.ofMillis(500)), OK));

    assertThat(sleeps)
        .containsExactly(Retry.SLICE_NANOS, Retry.SLICE_NANOS, TimeUnit.MILLISECONDS.toNanos(100));
  }
}
